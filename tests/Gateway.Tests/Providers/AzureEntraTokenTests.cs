using System.Net;
using Azure.Core.Pipeline;
using Azure.Identity;
using Gateway.Providers.OpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Storage.Governance;
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

    private ClientSecretCredential Credential(string secret) =>
        new(_tenant.TenantId, ClientId, secret, TrustTheTenant(new ClientSecretCredentialOptions()));

    private Task<TestWebHost> StartAsync(string config, Action<AzureOpenAiCredentialOptions> credentials, IDictionary<string, string?>? settings = null) =>
        GatewayHost.StartWithConfigAsync(_data, config, settings,
            configure: (WebApplicationBuilder builder) => builder.Services.Configure(credentials));

    private static HttpRequestMessage Chat() =>
        GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");

    [Fact]
    public async Task A_keyless_deployment_calls_Azure_with_a_token_of_the_default_credential_fetched_once()
    {
        await using var gateway = await StartAsync(Config(), options => options.CreateDefaultCredential = () => Credential(ClientSecret));

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
        await using var gateway = await StartAsync(Config(), options => options.CreateDefaultCredential = () => Credential("not-the-secret-4711"));

        using var response = await gateway.Client.SendAsync(Chat(), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_rejected");
        Assert.Empty(_azure.Requests);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("got no Entra ID token", StringComparison.Ordinal) && line.Contains("AADSTS7000215", StringComparison.Ordinal));
        Assert.DoesNotContain("not-the-secret-4711", gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_refresh_fetches_a_new_token_now_which_the_status_shows_and_later_calls_use()
    {
        await using var gateway = await StartAsync(Config(), options => options.CreateDefaultCredential = () => Credential(ClientSecret));
        using var before = await gateway.Client.SendAsync(Chat(), Cancellation);
        var heldUntil = await CredentialExpiryAsync(gateway);

        var refreshed = await RefreshAsync(gateway, "gpt-4o");
        var shown = await CredentialExpiryAsync(gateway);
        using var after = await gateway.Client.SendAsync(Chat(), Cancellation);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(2, _tenant.TokenRequests.Count);
        var expiresAt = refreshed.Body!["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.True(expiresAt > heldUntil, $"refreshed token expires {expiresAt:O}, the one held before {heldUntil:O}");
        Assert.Equal(expiresAt, shown);
        Assert.True(refreshed.Body!["refreshable"]!.GetValue<bool>());
        Assert.StartsWith("Entra ID access token", refreshed.Body!["kind"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        // The refreshed token serves the next call: no third fetch, and Azure accepted it.
        Assert.Equal(2, _tenant.TokenRequests.Count);
        Assert.Equal(2, _azure.Requests.Count);
    }

    [Fact]
    public async Task Concurrent_refreshes_share_one_fetch_from_Entra()
    {
        var token = new AzureAccessToken(() => Credential(ClientSecret), AzureOpenAiCredentials.DefaultScope, TimeProvider.System);

        var expiries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => token.RefreshAsync(Cancellation)).ToList());

        Assert.Single(_tenant.TokenRequests);
        Assert.Single(expiries.Distinct());
        Assert.Equal(expiries[0], token.ExpiresOn);
    }

    [Fact]
    public async Task A_refresh_Entra_refuses_is_502_with_its_reason_and_the_valid_token_is_kept()
    {
        await using var gateway = await StartAsync(Config(), options => options.CreateDefaultCredential = () => Credential(ClientSecret));
        using var before = await gateway.Client.SendAsync(Chat(), Cancellation);
        var heldUntil = await CredentialExpiryAsync(gateway);
        // The app's secret is rotated in Entra: the gateway's no longer gets tokens, the one it holds stays valid.
        _tenant.RegisterClient(ClientId, "the-new-secret-only-entra-knows");

        var refused = await RefreshAsync(gateway, "gpt-4o");
        using var after = await gateway.Client.SendAsync(Chat(), Cancellation);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var error = refused.AssertError(HttpStatusCode.BadGateway, "server_error");
        Assert.Equal("credential_refresh_refused", error["code"]!.GetValue<string>());
        Assert.Contains("AADSTS7000215", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("the token held before is kept", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, refused.Text, StringComparison.Ordinal);
        Assert.Equal(heldUntil, await CredentialExpiryAsync(gateway));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.DoesNotContain(ClientSecret, gateway.Logs.All, StringComparison.Ordinal);
    }

    private static Task<Governance.ManagementCalls.Reply> RefreshAsync(TestWebHost gateway, string deployment) =>
        Governance.ManagementCalls.PostAsync(gateway, $"{GatewayStatusJson.CredentialRefreshRoute}?deployment={Uri.EscapeDataString(deployment)}", "");

    private static async Task<DateTimeOffset> CredentialExpiryAsync(TestWebHost gateway)
    {
        var status = (await Governance.ManagementCalls.GetAsync(gateway, GatewayStatusJson.Route)).AssertOk().Body!;
        var deployment = status["groups"]![0]!["deployments"]![0]!;
        return deployment["credential"]!["expiresAt"]!.GetValue<DateTimeOffset>();
    }

    public async ValueTask DisposeAsync()
    {
        await _azure.DisposeAsync();
        await _tenant.DisposeAsync();
        _data.Dispose();
    }
}
