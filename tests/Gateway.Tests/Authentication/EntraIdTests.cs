using System.ClientModel;
using System.Net;
using Gateway.Authentication;
using OpenAI.Chat;
using TestInfrastructure.FakeEntra;

namespace Gateway.Tests.Authentication;

/// <summary>
/// Entra ID callers through the real Microsoft.Identity.Web pipeline against a fake tenant with RSA-signed tokens:
/// the contract (role or scope → 200; tokens Entra would not accept → 401; no required role or scope → 403), the
/// mapping to teams and key policies, the token cache, and the key scheme kept apart. One gateway (one tenant) for the class.
/// </summary>
public sealed class EntraIdTests(EntraIdTests.Fixture fixture) : IClassFixture<EntraIdTests.Fixture>
{
    public const string ResearchRole = "Research.Member";
    public const string LimitedRole = "Limited.Member";
    public static readonly string FinanceGroup = Guid.NewGuid().ToString();
    public static readonly string BatchApp = Guid.NewGuid().ToString();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private EntraGateway Entra => fixture.Entra;
    private FakeEntraTenant Tenant => fixture.Entra.Tenant;

    public sealed class Fixture : IAsyncLifetime
    {
        internal EntraGateway Entra { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Entra = await EntraGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Entra:Mappings:0:Roles:0"] = ResearchRole,
            ["Gateway:Entra:Mappings:0:TeamId"] = "research",
            ["Gateway:Entra:Mappings:0:Policy"] = "research-default",
            ["Gateway:Entra:Mappings:1:Groups:0"] = FinanceGroup,
            ["Gateway:Entra:Mappings:1:TeamId"] = "finance",
            ["Gateway:Entra:Mappings:2:ClientIds:0"] = BatchApp,
            ["Gateway:Entra:Mappings:2:TeamId"] = "batch",
            ["Gateway:Entra:DefaultTeamId"] = "everyone",
            ["Gateway:Entra:Policies:research-default:Models:0"] = "gpt-4o-mini",
            ["Gateway:Entra:Policies:research-default:MaxBudget"] = "50",
            ["Gateway:Entra:Policies:research-default:BudgetDuration"] = "30d",
            ["Gateway:Entra:Policies:research-default:RpmLimit"] = "60",
            ["Gateway:Entra:Mappings:3:Roles:0"] = LimitedRole,
            ["Gateway:Entra:Mappings:3:Policy"] = "limited",
            ["Gateway:Entra:Policies:limited:RpmLimit"] = "2",
        });

        public async ValueTask DisposeAsync() => await Entra.DisposeAsync();
    }

    [Fact]
    public async Task A_token_with_the_required_app_role_is_served_through_the_OpenAI_SDK()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] });

        var result = await GatewayClients.Chat(Entra.Host, "gpt-4o", token).CompleteChatAsync([new UserChatMessage("hello entra")], cancellationToken: Cancellation);

        Assert.Equal("hello entra", result.Value.Content[0].Text);
    }

    [Fact]
    public async Task A_delegated_token_with_the_required_scope_is_served()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Scopes = ["User.Read", "access_as_user"] });

        using var response = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("wrong audience", "another audience")]
    [InlineData("expired", "expired")]
    [InlineData("not yet valid", "not valid yet")]
    [InlineData("unknown signing key", "signature does not verify")]
    [InlineData("unsigned", "signature does not verify")]
    [InlineData("other tenant", "another issuer or tenant")]
    [InlineData("no ver claim", "another audience")]
    [InlineData("neither role nor scope", "neither an app role nor a scope")]
    public async Task Tokens_Entra_ID_would_not_accept_are_401_in_OpenAIs_shape_with_the_reason(string kind, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        var caller = new FakeEntraToken { Roles = ["Gateway.Invoke"] };
        var token = Tenant.CreateToken(kind switch
        {
            "wrong audience" => caller with { Audience = Guid.NewGuid().ToString() },
            "expired" => caller with { NotBefore = now.AddHours(-2), Expires = now.AddHours(-1) },
            "not yet valid" => caller with { NotBefore = now.AddHours(1), Expires = now.AddHours(2) },
            "unknown signing key" => caller with { Signing = FakeEntraSigning.UnknownKey },
            "unsigned" => caller with { Signing = FakeEntraSigning.Unsigned },
            "other tenant" => caller with { TenantId = Guid.NewGuid().ToString() },
            "no ver claim" => caller with { Version = null },
            "neither role nor scope" => caller with { Roles = [] },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });

        using var response = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);

        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_access_token");
        Assert.Contains(reason, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains(Entra.Host.Logs.Lines, line => line.Contains("Entra ID token rejected: ", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_token_without_a_required_app_role_or_scope_is_403_in_OpenAIs_shape()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Some.Other.Role"], Scopes = ["User.Read"] });

        using var response = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);

        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden, "invalid_request_error", "forbidden");
        Assert.Contains("Gateway.Invoke", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("access_as_user", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_get_the_team_and_policy_of_the_first_mapping_their_roles_groups_or_client_app_match()
    {
        var researcher = new FakeEntraToken { Roles = ["Gateway.Invoke", ResearchRole], Groups = [FinanceGroup] };
        var accountant = new FakeEntraToken { Scopes = ["access_as_user"], Groups = [Guid.NewGuid().ToString(), FinanceGroup] };
        var batchJob = new FakeEntraToken { Roles = ["Gateway.Invoke"], ClientAppId = BatchApp };
        var anyone = new FakeEntraToken { Roles = ["Gateway.Invoke"] };

        var research = await Entra.CallerClaimsAsync(Tenant.CreateToken(researcher));
        var finance = await Entra.CallerClaimsAsync(Tenant.CreateToken(accountant));
        var batch = await Entra.CallerClaimsAsync(Tenant.CreateToken(batchJob));
        var other = await Entra.CallerClaimsAsync(Tenant.CreateToken(anyone));

        Assert.Equal(GatewayClaims.Roles.Caller, research[GatewayClaims.Role]);
        Assert.Equal(GatewayClaims.Kinds.EntraId, research[GatewayClaims.CallerKind]);
        Assert.Equal(researcher.ObjectId, research[GatewayClaims.UserId]);
        Assert.Equal("research", research[GatewayClaims.TeamId]);
        Assert.Equal("research-default", research[GatewayClaims.PolicyName]);
        Assert.Equal("finance", finance[GatewayClaims.TeamId]);
        Assert.False(finance.ContainsKey(GatewayClaims.PolicyName));
        Assert.Equal("batch", batch[GatewayClaims.TeamId]);
        Assert.Equal("everyone", other[GatewayClaims.TeamId]);
        Assert.Equal(anyone.ObjectId, other[GatewayClaims.UserId]);
    }

    [Fact]
    public async Task A_model_outside_the_callers_policy_is_403_and_the_model_list_shows_only_allowed_models()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke", ResearchRole] });

        using var allowed = await Entra.Host.Client.SendAsync(Entra.Chat(token, "gpt-4o-mini"), Cancellation);
        using var denied = await Entra.Host.Client.SendAsync(Entra.Chat(token, "gpt-4o"), Cancellation);
        using var deniedAzure = await Entra.Host.Client.SendAsync(Entra.Chat(token, "gpt-4o", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"), Cancellation);
        var models = await GatewayClients.Models(Entra.Host, token).GetModelsAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(denied, HttpStatusCode.Forbidden, "policy_model_access_denied", "model_access_denied", param: "model");
        Assert.Contains("Tried to access gpt-4o", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, deniedAzure.StatusCode);
        Assert.Equal(["gpt-4o-mini"], models.Value.Select(m => m.Id));
    }

    [Fact]
    public async Task A_model_outside_the_callers_policy_is_403_in_Anthropics_shape_on_the_messages_route()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke", ResearchRole] });

        using var allowed = await Entra.Host.Client.SendAsync(Message(token, "gpt-4o-mini"), Cancellation);
        using var denied = await Entra.Host.Client.SendAsync(Message(token, "gpt-4o"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var error = System.Text.Json.JsonDocument.Parse(await denied.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
        Assert.Equal("permission_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("Tried to access gpt-4o", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_mapped_to_a_policy_share_its_rate_limit_through_governance()
    {
        var first = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke", LimitedRole] });
        var second = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke", LimitedRole] });

        using var one = await Entra.Host.Client.SendAsync(Entra.Chat(first), Cancellation);
        using var two = await Entra.Host.Client.SendAsync(Entra.Chat(second), Cancellation);
        using var three = await Entra.Host.Client.SendAsync(Entra.Chat(first), Cancellation);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(three, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("Policy 'limited'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.NotNull(three.Headers.RetryAfter);
    }

    private static HttpRequestMessage Message(string token, string model)
    {
        var request = GatewayClients.Post("/v1/messages", $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", key: null);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    [Fact]
    public async Task The_admin_app_role_makes_the_caller_a_gateway_admin_who_may_also_call_models()
    {
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Admin"] });

        var claims = await Entra.CallerClaimsAsync(token);
        using var response = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);

        Assert.Equal(GatewayClaims.Roles.Admin, claims[GatewayClaims.Role]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_Entra_admin_reads_the_gateway_status_and_a_caller_without_the_admin_role_is_refused()
    {
        var admin = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Admin"] });
        var invoker = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"] });

        var asAdmin = await Governance.ManagementCalls.GetAsync(Entra.Host, Storage.Governance.GatewayStatusJson.Route, admin);
        var asInvoker = await Governance.ManagementCalls.GetAsync(Entra.Host, Storage.Governance.GatewayStatusJson.Route, invoker);

        var groups = asAdmin.AssertOk().Body!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>());
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], groups);
        Assert.Equal(HttpStatusCode.Forbidden, asInvoker.Status);
        Assert.DoesNotContain("groups", asInvoker.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_validated_once_and_then_answered_from_the_cache_until_it_expires()
    {
        // A JWT's exp is in whole seconds; six of them leave the three calls room on a loaded machine (with three, a
        // first validation that took two seconds under load saw its entry expire before the next call).
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(6).ToUnixTimeSeconds());
        var token = Tenant.CreateToken(new FakeEntraToken { Roles = ["Gateway.Invoke"], Expires = expires });
        var before = Entra.JwtHandlerCalls;

        using var first = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);
        using var second = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);
        using var third = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);
        var whileCached = Entra.JwtHandlerCalls - before;
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200), Cancellation);
        // Past its exp the token is validated again; the 5-minute clock skew Entra's validators allow still accepts it.
        using var afterExpiry = await Entra.Host.Client.SendAsync(Entra.Chat(token), Cancellation);

        Assert.All([first, second, third, afterExpiry], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, whileCached);
        Assert.Equal(2, Entra.JwtHandlerCalls - before);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("api-key")]
    [InlineData("x-api-key")]
    public async Task Keys_go_to_the_key_scheme_and_never_reach_the_token_validator(string header)
    {
        var before = Entra.JwtHandlerCalls;

        using var unknown = await Entra.Host.Client.SendAsync(WithKey("sk-unknown-key-0123456789", header), Cancellation);
        using var master = await Entra.Host.Client.SendAsync(WithKey(GatewayHost.MasterKey, header), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(unknown, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        Assert.Equal(before, Entra.JwtHandlerCalls);
    }

    [Fact]
    public async Task A_request_without_any_credential_is_401()
    {
        using var response = await Entra.Host.Client.SendAsync(Entra.Chat(token: null), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
    }

    private HttpRequestMessage WithKey(string key, string header)
    {
        var request = Entra.Chat(token: null);
        request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? $"Bearer {key}" : key);
        return request;
    }
}
