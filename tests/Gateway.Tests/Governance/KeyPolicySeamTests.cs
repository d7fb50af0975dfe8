using System.Diagnostics;
using System.Security.Claims;
using System.Text;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Governance.Policies;
using Gateway.Inbound;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Governance;

/// <summary>
/// The seam the Entra ID scheme fills: a caller without a virtual key, whose principal names a team and a key policy,
/// counts against the team's limits and the policy's, and may call only the models both allow.
/// </summary>
public sealed class KeyPolicySeamTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings());
        var policies = _gateway.Services.GetRequiredService<KeyPolicyRegistry>();
        policies.Register(new KeyPolicy("batch-jobs", ["chat"], MaxBudget: 0.02, BudgetDuration: "30d"));
        policies.Register(new KeyPolicy("open", []));
        (await _gateway.PostAsync("/team/new", """{"team_id":"entra-team","max_budget":1,"models":["chat","other"]}""")).AssertOk();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A model call as the Entra ID scheme will hand it over: claims of <see cref="GatewayClaims"/>, no key.</summary>
    private async Task<GatewayCall> EntraCallAsync(string model, string? policy, string team = "entra-team")
    {
        var claims = new List<Claim>
        {
            new(GatewayClaims.Role, GatewayClaims.Roles.Caller),
            new(GatewayClaims.CallerKind, GatewayClaims.Kinds.EntraId),
            new(GatewayClaims.TeamId, team),
            new(GatewayClaims.UserId, "entra-object-id"),
        };
        if (policy is not null)
        {
            claims.Add(new Claim(GatewayClaims.PolicyName, policy));
        }

        var json = $$"""{"model":"{{model}}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";
        var context = new DefaultHttpContext { RequestServices = _gateway.Services, User = new ClaimsPrincipal(new ClaimsIdentity(claims, "Entra")) };
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        context.Request.ContentLength = json.Length;
        var body = await RequestBody.ReadAsync(context.Request, 1 << 20, TestContext.Current.CancellationToken);
        Assert.True(InboundFields.TryParse(body!.Span, null, out var fields, out _, out _));
        return new GatewayCall(context, OpenAiOperation.ChatCompletions, body, fields, Stopwatch.GetTimestamp());
    }

    [Fact]
    public async Task An_Entra_caller_counts_against_its_team_and_its_policy_and_calls_only_what_both_allow()
    {
        var gate = _gateway.Services.GetRequiredService<GovernanceGate>();

        using var first = await EntraCallAsync("chat", "batch-jobs");
        using var second = await EntraCallAsync("chat", "batch-jobs");
        using var third = await EntraCallAsync("chat", "batch-jobs");
        var admitted = new[] { await gate.AdmitAsync(first), await gate.AdmitAsync(second) };
        var refused = await gate.AdmitAsync(third);
        using var notInPolicy = await EntraCallAsync("other", "batch-jobs");
        using var notInTeam = await EntraCallAsync("embed", "open");
        using var unknownPolicy = await EntraCallAsync("chat", "never-registered");

        Assert.All(admitted, Assert.Null);
        Assert.Equal(("entra-team", "entra-object-id"), (first.Governance!.TeamId, first.Governance.UserId));
        Assert.Contains(first.Governance.Charged, limit => limit.Holder.Kind == HolderKind.Team);
        Assert.Contains(first.Governance.Charged, limit => limit.Holder.Kind == HolderKind.Policy && limit.Holder.Id == "batch-jobs");
        Assert.Equal(429, refused!.StatusCode);
        Assert.Contains("Policy=batch-jobs", refused.Value.Error.Message, StringComparison.Ordinal);
        Assert.Equal("policy_model_access_denied", (await gate.AdmitAsync(notInPolicy))!.Value.Error.Type);
        Assert.Equal("team_model_access_denied", (await gate.AdmitAsync(notInTeam))!.Value.Error.Type);
        Assert.Equal("policy_not_configured", (await gate.AdmitAsync(unknownPolicy))!.Value.Error.Code);
    }
}
