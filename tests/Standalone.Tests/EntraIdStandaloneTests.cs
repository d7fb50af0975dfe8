using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TestInfrastructure.FakeEntra;

namespace Standalone.Tests;

/// <summary>
/// Entra ID callers and CORS against the Standalone host as its own process, configured only through its
/// environment, with a fake tenant as its own instance on loopback. The process needs plain-HTTP metadata and the
/// fake's issuer pinned (<c>RequireHttpsMetadata=false</c>, <c>ValidIssuers</c>): both are given here only, since in
/// a production config they would really relax validation.
/// </summary>
public sealed class EntraIdStandaloneTests : IAsyncLifetime
{
    private const string Origin = "https://chat.example.com";
    private readonly TemporaryDirectory _data = new("standalone-entra-");
    private readonly HttpClient _client = new();
    private FakeEntraTenant _tenant = null!;
    private ExternalProcess _process = null!;
    private Uri _baseAddress = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tenant = await FakeEntraTenant.StartAsync(asMicrosoftLogin: false);
        (_process, _baseAddress) = await StandaloneProcess.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["LITELLM_MASTER_KEY"] = "sk-standalone-entra-master",
            ["CONFIG_FILE_PATH"] = null,
            ["AzureAd__Instance"] = _tenant.Instance,
            ["AzureAd__TenantId"] = _tenant.TenantId,
            ["AzureAd__ClientId"] = _tenant.ApiClientId,
            ["AzureAd__RequireHttpsMetadata"] = "false",
            ["AzureAd__TokenValidationParameters__ValidIssuers__0"] = _tenant.Issuer,
            ["Gateway__Entra__Mappings__0__Roles__0"] = "Gateway.Invoke",
            ["Gateway__Entra__Mappings__0__TeamId"] = "standalone",
            ["Gateway__Entra__Mappings__0__Policy"] = "echo-only",
            ["Gateway__Entra__Policies__echo-only__Models__0"] = "mock-echo",
            ["Gateway__Cors__AllowedOrigins__0"] = Origin,
        });
    }

    private HttpRequestMessage Chat(string token, string model = "mock-echo")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, "/v1/chat/completions"))
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi from entra"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Tokens_of_the_tenant_are_served_others_refused_and_browsers_allowed_from_the_configured_origin_only()
    {
        await AssertPreflightsAllowOnlyTheConfiguredOriginAsync();
        var caller = new FakeEntraToken { Roles = ["Gateway.Invoke"] };

        using var served = await _client.SendAsync(Chat(_tenant.CreateToken(caller)), Cancellation);
        using var otherModel = await _client.SendAsync(Chat(_tenant.CreateToken(caller), "mock-fixed"), Cancellation);
        using var wrongAudience = await _client.SendAsync(Chat(_tenant.CreateToken(caller with { Audience = Guid.NewGuid().ToString() })), Cancellation);
        using var expired = await _client.SendAsync(Chat(_tenant.CreateToken(caller with
        {
            NotBefore = DateTimeOffset.UtcNow.AddHours(-2),
            Expires = DateTimeOffset.UtcNow.AddHours(-1),
        })), Cancellation);
        using var wrongRole = await _client.SendAsync(Chat(_tenant.CreateToken(new FakeEntraToken { Roles = ["Other.Role"] })), Cancellation);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("hi from entra", await served.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, otherModel.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        Assert.Contains(_tenant.MetadataRequests, path => path.EndsWith("/v2.0/.well-known/openid-configuration", StringComparison.Ordinal));
    }

    // Part of the one test: a Standalone process (with its chDB) per test is the expensive part.
    private async Task AssertPreflightsAllowOnlyTheConfiguredOriginAsync()
    {
        using var allowed = await _client.SendAsync(Preflight(Origin), Cancellation);
        using var other = await _client.SendAsync(Preflight("https://elsewhere.example.net"), Cancellation);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Origin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri(_baseAddress, "/v1/chat/completions"));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        await _tenant.DisposeAsync();
        _client.Dispose();
        _data.Dispose();
    }
}
