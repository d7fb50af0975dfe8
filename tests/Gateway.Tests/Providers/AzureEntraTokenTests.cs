using System.Net;
using Azure.Core.Pipeline;
using Azure.Identity;
using Gateway.Providers.OpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TestInfrastructure.FakeEntra;

namespace Gateway.Tests.Providers;

/// <summary>
/// <c>azure/</c> deployments without an API key authenticate with Entra ID tokens from Azure.Identity: real
/// credentials fetch client-credentials tokens from a fake tenant over HTTPS, and the fake Azure resource accepts only
/// tokens that tenant signed for Azure OpenAI's audience.
/// </summary>
public sealed class AzureEntraTokenTests : IAsyncLifetime
{
    private const string Audience = "https://cognitiveservices.azure.com";
    private const string ClientId = "6d1f6c3e-3d53-4a47-9a59-1f3f4c3c0a11";
    private const string ClientSecret = "fake-client-secret-value-9f8e7d";
    private readonly TemporaryDirectory _data = new();
    private FakeEntraTenant _tenant = null!;
    private FakeOpenAiUpstream _azure = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tenant = await FakeEntraTenant.StartAsync();
        _tenant.RegisterClient(ClientId, ClientSecret);
        _azure = await FakeOpenAiUpstream.StartAsync();
        _azure.Responder = _ => FakeReply.Authorized(
            request => request.Header("Authorization") is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
                ? _tenant.ValidatesAsync(header["Bearer ".Length..], Audience)
                : Task.FromResult(false),
            FakeReply.Answer("Hello from Azure"));
    }

    private string Config(string extra = "") => $"""
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: azure/my-gpt-4o
              api_base: {_azure.BaseAddress}
              api_version: "2024-10-21"
        {extra}
        router_settings:
          num_retries: 0
        """;

    private ClientSecretCredentialOptions TrustTheTenant(ClientSecretCredentialOptions options)
    {
        options.AuthorityHost = _tenant.HttpsAddress;
        options.DisableInstanceDiscovery = true;
        options.Transport = new HttpClientTransport(_tenant.CreateTlsClientHandler());
        options.Retry.MaxRetries = 0;
        return options;
    }

    private Task<TestWebHost> StartAsync(string config, Action<AzureOpenAiCredentialOptions> credentials, IDictionary<string, string?>? settings = null) =>
        GatewayHost.StartWithConfigAsync(_data, config, settings,
            configure: (WebApplicationBuilder builder) => builder.Services.Configure(credentials));

    private static HttpRequestMessage Chat() =>
        GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");

    [Fact]
    public async Task A_keyless_deployment_calls_Azure_with_a_token_of_the_default_credential_fetched_once()
    {
        var credential = new ClientSecretCredential(_tenant.TenantId, ClientId, ClientSecret, TrustTheTenant(new ClientSecretCredentialOptions()));
        await using var gateway = await StartAsync(Config(), options => options.DefaultCredential = credential);

        using var first = await gateway.Client.SendAsync(Chat(), Cancellation);
        using var second = await gateway.Client.SendAsync(Chat(), Cancellation);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, _azure.Requests.Count);
        Assert.All(_azure.Requests, request => Assert.Null(request.Header("api-key")));
        var tokenRequest = Assert.Single(_tenant.TokenRequests);
        Assert.Equal("client_credentials", tokenRequest["grant_type"]);
        Assert.Equal($"{Audience}/.default", tokenRequest["scope"]);
        Assert.Equal(ClientId, tokenRequest["client_id"]);
    }

    [Fact]
    public async Task Tenant_client_id_and_client_secret_in_litellm_params_make_a_client_secret_credential()
    {
        await using var gateway = await StartAsync(
            Config("""
                      tenant_id: os.environ/AZURE_TENANT_ID
                      client_id: os.environ/AZURE_CLIENT_ID
                      client_secret: os.environ/AZURE_CLIENT_SECRET
                """.Replace("          ", "      ", StringComparison.Ordinal)),
            options => options.ConfigureClientSecretCredential = o => TrustTheTenant(o),
            new Dictionary<string, string?>
            {
                ["AZURE_TENANT_ID"] = _tenant.TenantId,
                ["AZURE_CLIENT_ID"] = ClientId,
                ["AZURE_CLIENT_SECRET"] = ClientSecret,
            });

        using var response = await gateway.Client.SendAsync(Chat(), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ClientSecret, Assert.Single(_tenant.TokenRequests)["client_secret"]);
        Assert.DoesNotContain(ClientSecret, gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_that_gets_no_token_fails_the_call_with_502_and_says_why_in_the_log()
    {
        var credential = new ClientSecretCredential(_tenant.TenantId, ClientId, "not-the-secret-4711", TrustTheTenant(new ClientSecretCredentialOptions()));
        await using var gateway = await StartAsync(Config(), options => options.DefaultCredential = credential);

        using var response = await gateway.Client.SendAsync(Chat(), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_rejected");
        Assert.Empty(_azure.Requests);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("got no Entra ID token", StringComparison.Ordinal) && line.Contains("AADSTS7000215", StringComparison.Ordinal));
        Assert.DoesNotContain("not-the-secret-4711", gateway.Logs.All, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _azure.DisposeAsync();
        await _tenant.DisposeAsync();
        _data.Dispose();
    }
}
