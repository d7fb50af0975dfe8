using System.Net;
using Azure.Core.Pipeline;
using Azure.Identity;
using Gateway.Providers.OpenAi;
using Microsoft.Extensions.DependencyInjection;
using Storage.Governance;
using TestInfrastructure.FakeEntra;
using TraceUi.Components.Shared;

namespace TraceUi.Tests;

/// <summary>
/// The models page's manual refresh of a provider credential, with TraceUi apart from the gateway: the gateway holds
/// an Entra ID token for an Azure OpenAI deployment from a fake tenant, and TraceUi asks it over its admin route.
/// </summary>
public sealed class RemoteCredentialRefreshTests : IAsyncLifetime
{
    private const string ClientId = "0b7c5e0e-2f4a-4d7e-9a51-3c8f6d2e1a77";
    private const string ClientSecret = "fake-ui-client-secret-5a4b3c";
    private const string Deployment = "azure-chat";
    private readonly TemporaryDirectory _data = new("ui-credential-");
    private FakeEntraTenant _tenant = null!;
    private TestWebHost _gateway = null!;
    private TestWebHost _ui = null!;
    private BrowserlessClient _browser = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tenant = await FakeEntraTenant.StartAsync();
        _tenant.RegisterClient(ClientId, ClientSecret);
        // No call reaches the Azure resource here: only the token the gateway holds for it matters.
        var config = UiHost.GatewayConfig + "\n" + $"""
              - model_name: {Deployment}
                litellm_params:
                  model: azure/gpt-4o
                  api_base: http://127.0.0.1:9/
                  api_version: "2024-10-21"
                  tenant_id: {_tenant.TenantId}
                  client_id: {ClientId}
                  client_secret: {ClientSecret}

            """;
        _gateway = await UiHost.StartSeparateGatewayAsync(_data, config, builder =>
            builder.Services.Configure<AzureOpenAiCredentialOptions>(options => options.ConfigureClientSecretCredential = TrustTheTenant));
        _ui = await UiHost.StartWithRemoteGatewayAsync(_data, _gateway);
        _browser = new BrowserlessClient(_ui.BaseAddress);
    }

    private void TrustTheTenant(ClientSecretCredentialOptions options)
    {
        options.AuthorityHost = _tenant.HttpsAddress;
        options.DisableInstanceDiscovery = true;
        options.Transport = new HttpClientTransport(_tenant.CreateTlsClientHandler());
        options.Retry.MaxRetries = 0;
    }

    private IGatewayStatus Status => _ui.Services.GetRequiredService<IGatewayStatus>();

    [Fact]
    public async Task The_remote_client_refreshes_at_the_gateway_and_reads_each_refusal_as_the_gateway_words_it()
    {
        var refreshed = await Status.RefreshCredentialAsync(Deployment, Cancellation);
        var shown = (await Status.ReadAsync(Cancellation)).Groups.Single(g => g.Name == Deployment).Deployments.Single().Credential;
        var unknown = await Status.RefreshCredentialAsync("no-such-deployment", Cancellation);
        var staticKey = await Status.RefreshCredentialAsync("mock-echo", Cancellation);
        _tenant.RegisterClient(ClientId, "rotated-in-entra-only");
        var refused = await Status.RefreshCredentialAsync(Deployment, Cancellation);

        Assert.Equal("RemoteGatewayCatalog", Status.GetType().Name);
        Assert.Equal(CredentialRefreshOutcome.Refreshed, refreshed.Outcome);
        Assert.True(refreshed.Credential!.Refreshable);
        Assert.NotNull(refreshed.Credential.ExpiresAt);
        Assert.Equal(refreshed.Credential, shown);
        Assert.Equal(2, _tenant.TokenRequests.Count);
        Assert.Equal(CredentialRefreshOutcome.UnknownDeployment, unknown.Outcome);
        Assert.Contains("'no-such-deployment'", unknown.Failure, StringComparison.Ordinal);
        Assert.Equal(CredentialRefreshOutcome.NotRefreshable, staticKey.Outcome);
        Assert.Contains("'mock-echo'", staticKey.Failure, StringComparison.Ordinal);
        Assert.Equal(CredentialRefreshOutcome.Refused, refused.Outcome);
        Assert.Contains("AADSTS7000215", refused.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, _ui.Logs.All + _gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_presses_refresh_on_the_models_page_and_sees_the_new_expiry()
    {
        await _browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await _browser.GetPageAsync("/gateway/models");

        var response = await _browser.PostFormAsync("/gateway/models", page, RefreshForm());
        var answer = await response.Content.ReadAsStringAsync(Cancellation);
        var expiresAt = (await Status.ReadAsync(Cancellation)).Groups.Single(g => g.Name == Deployment).Deployments.Single().Credential!.ExpiresAt!.Value;

        // Only the Entra ID deployment offers a refresh; the mock ones hold no credential.
        Assert.Equal(1, page.Split("data-testid=\"refresh-credential\"").Length - 1);
        Assert.Contains("Entra ID access token (client secret of app " + ClientId + ")", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"The credential of {Deployment} was refreshed; it expires {Display.Time(expiresAt.UtcDateTime)} UTC.", answer, StringComparison.Ordinal);
        Assert.Single(_tenant.TokenRequests);
    }

    [Fact]
    public async Task A_refresh_Entra_refuses_is_shown_with_its_reason()
    {
        await _browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await _browser.GetPageAsync("/gateway/models");
        _tenant.RegisterClient(ClientId, "rotated-in-entra-only");

        var response = await _browser.PostFormAsync("/gateway/models", page, RefreshForm());
        var answer = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("Not refreshed: Entra ID issued no new token", answer, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_sees_no_refresh_button_and_the_server_refuses_their_refresh()
    {
        await _browser.SignInAsync(UiHost.ViewerEmail, UiHost.ViewerPassword);
        var page = await _browser.GetPageAsync("/gateway/models");

        var response = await _browser.PostFormAsync("/gateway/models", page, RefreshForm());

        Assert.Contains("data-model-group=\"azure-chat\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"refresh-credential\"", page, StringComparison.Ordinal);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden });
        Assert.Empty(_tenant.TokenRequests);
    }

    private static Dictionary<string, string> RefreshForm() => new()
    {
        ["_handler"] = $"refresh-credential-{Deployment}-{Deployment}",
        ["Deployment"] = Deployment,
    };

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _ui.DisposeAsync();
        await _gateway.DisposeAsync();
        await _tenant.DisposeAsync();
        _data.Dispose();
    }
}
