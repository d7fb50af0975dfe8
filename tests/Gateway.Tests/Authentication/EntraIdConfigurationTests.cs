using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using TestInfrastructure.FakeEntra;

namespace Gateway.Tests.Authentication;

/// <summary>How the <c>AzureAd</c> and <c>Gateway:Entra</c> settings change who gets in, each on a gateway (and tenant) of its own.</summary>
public sealed class EntraIdConfigurationTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeEntraTenant _tenant = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _tenant = await FakeEntraTenant.StartAsync();

    [Fact]
    public async Task Without_an_AzureAd_section_a_bearer_token_that_is_not_a_key_is_401_in_OpenAIs_shape()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, EntraGateway.Config);
        using var request = GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[]}""",
            key: _tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] }));

        using var response = await gateway.Client.SendAsync(request, Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
    }

    [Fact]
    public async Task With_Entra_ID_and_no_master_key_the_model_API_is_not_open()
    {
        await using var entra = await EntraGateway.StartAsync(withMasterKey: false);

        using var none = await entra.Host.Client.SendAsync(entra.Chat(token: null), Cancellation);
        using var anyKey = await entra.Host.Client.SendAsync(entra.Chat("sk-anything-at-all"), Cancellation);
        using var token = await entra.Host.Client.SendAsync(entra.Chat(entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] })), Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anyKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
    }

    [Fact]
    public async Task Required_roles_and_scopes_come_from_configuration()
    {
        await using var entra = await EntraGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Entra:RequiredRoles:0"] = "LLM.Call",
            ["Gateway:Entra:RequiredScopes:0"] = "llm.call",
        });

        using var role = await entra.Host.Client.SendAsync(entra.Chat(entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["LLM.Call"] })), Cancellation);
        using var scope = await entra.Host.Client.SendAsync(entra.Chat(entra.Tenant.CreateToken(new FakeEntraToken { Scopes = ["llm.call"] })), Cancellation);
        using var defaultRole = await entra.Host.Client.SendAsync(entra.Chat(entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] })), Cancellation);

        Assert.Equal(HttpStatusCode.OK, role.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scope.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, defaultRole.StatusCode);
    }

    [Fact]
    public async Task Tokens_and_authorization_headers_never_appear_in_logs_even_at_trace_level()
    {
        await using var entra = await EntraGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.Identity"] = "Trace",
            ["Logging:LogLevel:Microsoft.IdentityModel"] = "Trace",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
        });
        string[] tokens =
        [
            entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] }),
            entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"], Audience = "api://someone-else" }),
            entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Unrelated.Role"] }),
            entra.Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"], Signing = FakeEntraSigning.UnknownKey }),
        ];

        foreach (var token in tokens)
        {
            using var response = await entra.Host.Client.SendAsync(entra.Chat(token), Cancellation);
            Assert.DoesNotContain(token, await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        var logs = entra.Host.Logs.All;
        Assert.Contains("Entra ID token rejected", logs, StringComparison.Ordinal);
        foreach (var token in tokens)
        {
            // Payload and signature separately: either alone would be a leak.
            foreach (var part in token.Split('.').Skip(1))
            {
                Assert.DoesNotContain(part, logs, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain("Bearer ey", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Entra:Mappings:0:Policy", "nope", "Gateway:Entra:Mappings:0:Policy names 'nope'")]
    [InlineData("Gateway:Entra:DefaultPolicy", "nope", "Gateway:Entra:DefaultPolicy names 'nope'")]
    [InlineData("Gateway:Entra:Policies:p:BudgetDuration", "monthly", "Gateway:Entra:Policies:p:BudgetDuration 'monthly' is not a duration")]
    [InlineData("Gateway:Entra:Policies:p:MaxBudget", "-1", "cannot be negative")]
    [InlineData("Gateway:Entra:TokenCacheSize", "0", "TokenCacheSize must be positive")]
    public async Task A_wrong_Entra_setting_stops_start_up_naming_its_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => EntraGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Entra:Mappings:0:Roles:0"] = "Some.Role",
            ["Gateway:Entra:Mappings:0:TeamId"] = "team",
            [key] = value,
        }));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entra_mappings_without_an_AzureAd_section_stop_start_up()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartWithConfigAsync(_data, EntraGateway.Config,
            new Dictionary<string, string?> { ["Gateway:Entra:Mappings:0:Roles:0"] = "R", ["Gateway:Entra:Mappings:0:TeamId"] = "t" }));

        Assert.Contains("no AzureAd section", failure.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _tenant.DisposeAsync();
        _data.Dispose();
    }
}
