using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Gateway.Authentication;
using Gateway.Authentication.Entra;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TestInfrastructure.FakeEntra;

namespace Gateway.Tests.Authentication;

/// <summary>
/// The gateway with an <c>AzureAd</c> section for a fake tenant (a new one per host: Microsoft.Identity.Web keeps
/// issuer validators per authority for the whole process). Nothing is relaxed: issuers are the real
/// <c>https://login.microsoftonline.com/…</c> ones and only the two metadata fetchers are carried to the fake, as the
/// machine's DNS would carry them. Also maps <c>GET /test/caller</c>, which answers the caller's gateway claims.
/// </summary>
internal sealed class EntraGateway : IAsyncDisposable
{
    public const string CallerPath = "/test/caller";
    private readonly TemporaryDirectory _data = new();
    private int _jwtHandlerCalls;

    private EntraGateway(FakeEntraTenant tenant)
    {
        Tenant = tenant;
    }

    public FakeEntraTenant Tenant { get; }

    public TestWebHost Host { get; private set; } = null!;

    /// <summary>How many requests reached Microsoft.Identity.Web's JWT bearer handler.</summary>
    public int JwtHandlerCalls => Volatile.Read(ref _jwtHandlerCalls);

    public static string Config => """
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: mock/gpt-4o}
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini}
        """;

    public static async Task<EntraGateway> StartAsync(IDictionary<string, string?>? settings = null, bool withMasterKey = true)
    {
        var gateway = new EntraGateway(await FakeEntraTenant.StartAsync());
        var all = new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = gateway.Tenant.Instance,
            ["AzureAd:TenantId"] = gateway.Tenant.TenantId,
            ["AzureAd:ClientId"] = gateway.Tenant.ApiClientId,
        };
        if (!withMasterKey)
        {
            all["LITELLM_MASTER_KEY"] = null;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        gateway.Host = await GatewayHost.StartWithConfigAsync(gateway._data, Config, all, gateway.RouteEntraToFake, MapCallerEndpoint);
        return gateway;
    }

    public HttpRequestMessage Chat(string? token, string model = "gpt-4o", string path = "/v1/chat/completions")
    {
        var request = GatewayClients.Post(path, $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", key: null);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public async Task<Dictionary<string, string>> CallerClaimsAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, CallerPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    private void RouteEntraToFake(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddFakeEntraMetadata(Tenant, EntraIdAuthenticationHandler.JwtSchemeName);
        services.PostConfigure<JwtBearerOptions>(EntraIdAuthenticationHandler.JwtSchemeName, options =>
        {
            var received = options.Events.OnMessageReceived;
            options.Events.OnMessageReceived = context =>
            {
                Interlocked.Increment(ref _jwtHandlerCalls);
                return received(context);
            };
        });
    }

    private static void MapCallerEndpoint(WebApplication app) =>
        app.MapGet(CallerPath, (ClaimsPrincipal caller) => TypedResults.Json(new Dictionary<string, string>(
                new[] { GatewayClaims.Role, GatewayClaims.CallerKind, GatewayClaims.TeamId, GatewayClaims.UserId, GatewayClaims.PolicyName }
                    .Select(type => caller.FindFirst(type))
                    .OfType<Claim>()
                    .Select(claim => KeyValuePair.Create(claim.Type, claim.Value)))))
            .RequireAuthorization(GatewayAuthentication.CallerPolicy);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Tenant.DisposeAsync();
        _data.Dispose();
    }
}
