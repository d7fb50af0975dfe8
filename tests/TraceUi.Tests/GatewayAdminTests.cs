using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storage.Governance.Keys;
using Storage.Relational;
using Storage.Relational.Entities;

namespace TraceUi.Tests;

/// <summary>The Gateway section's forms as posted by a browser, against a host that runs the gateway too.</summary>
public sealed class GatewayAdminTests : UiTest
{
    private protected override bool WithGateway => true;

    public static TheoryData<string> Pages => ["/gateway/keys", "/gateway/teams", "/gateway/users", "/gateway/budgets", "/gateway/models", "/gateway/keys/abc", "/gateway/teams/t", "/gateway/users/u"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Gateway_pages_redirect_to_sign_in_without_a_session(string path)
    {
        var response = await Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/sign-in?ReturnUrl=", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_a_session_changes_nothing()
    {
        var page = await Browser.GetPageAsync("/sign-in");

        var response = await Browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("anonymous"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Admin_creates_a_key_that_the_gateway_accepts_and_whose_secret_is_shown_once()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync("/gateway/keys");

        var response = await Browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("checkout", models: "mock-echo", maxBudget: "5"));
        var secret = GatewayForms.IssuedSecret().Match(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var key = Assert.Single(await KeysAsync());
        Assert.Equal(VirtualKeyHasher.Token(secret), key.Token);
        Assert.Equal(("checkout", 5.0), (key.KeyAlias, key.MaxBudget));
        Assert.Equal(["mock-echo"], key.Models);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, secret, "mock-echo")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GatewayCalls.ChatAsync(Host, secret, "mock-fixed")).StatusCode);
        Assert.DoesNotContain(secret, await Browser.GetPageAsync("/gateway/keys"), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await Browser.GetPageAsync($"/gateway/keys/{key.Token}"), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Host.Logs.All, StringComparison.Ordinal);
        var audit = Assert.Single(await AuditAsync(key.Token));
        Assert.Equal(("created", $"{UiHost.AdminEmail} (TraceUi)"), (audit.Action, audit.ChangedBy));
    }

    [Fact]
    public async Task A_blocked_key_is_refused_by_the_gateway_at_once_and_works_again_when_unblocked()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var secret = await CreateKeyAsync("batch");
        var token = VirtualKeyHasher.Token(secret);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, secret)).StatusCode);

        await PostKeyActionAsync("block", token);
        var blocked = await GatewayCalls.ChatAsync(Host, secret);
        await PostKeyActionAsync("block", token);

        Assert.Equal(HttpStatusCode.Unauthorized, blocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, secret)).StatusCode);
        Assert.Equal(["unblocked", "blocked", "created"], (await AuditAsync(token)).Select(a => a.Action));
    }

    [Fact]
    public async Task Rotating_a_key_issues_a_new_secret_and_keeps_the_old_one_for_the_grace_period()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var old = await CreateKeyAsync("rotating");
        var page = await Browser.GetPageAsync("/gateway/keys");

        var response = await Browser.PostFormAsync("/gateway/keys", page, new Dictionary<string, string>
        {
            ["_handler"] = $"rotate-{VirtualKeyHasher.Token(old)}",
            ["Form.Token"] = VirtualKeyHasher.Token(old),
            ["Form.GracePeriod"] = "1h",
        });
        var renewed = GatewayForms.IssuedSecret().Match(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value;

        Assert.NotEqual(old, renewed);
        Assert.Equal(VirtualKeyHasher.Token(renewed), Assert.Single(await KeysAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, renewed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, old)).StatusCode);
    }

    [Fact]
    public async Task Invalid_input_is_refused_with_the_management_apis_message()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync("/gateway/keys");

        var badBudget = await Browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("bad", maxBudget: "lots"));
        var unknownModel = await Browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("bad", models: "gpt-9"));

        Assert.Equal(HttpStatusCode.BadRequest, badBudget.StatusCode);
        Assert.Contains("max_budget must be a number.", await badBudget.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownModel.StatusCode);
        Assert.Contains("models: &#x27;gpt-9&#x27; is not a model of this gateway", await unknownModel.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Admin_creates_a_team_with_a_budget_and_puts_a_user_in_it()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var teams = await Browser.GetPageAsync("/gateway/teams");
        var createTeam = await Browser.PostFormAsync("/gateway/teams", teams, new Dictionary<string, string>
        {
            ["_handler"] = "create-team",
            ["Form.TeamId"] = "research",
            ["Form.TeamAlias"] = "Research",
            ["Form.MaxBudget"] = "100",
            ["Form.BudgetDuration"] = "30d",
            ["Form.Models"] = "mock-echo",
        });
        var users = await Browser.GetPageAsync("/gateway/users");
        var createUser = await Browser.PostFormAsync("/gateway/users", users, new Dictionary<string, string>
        {
            ["_handler"] = "create-user",
            ["Form.UserId"] = "ada",
            ["Form.UserEmail"] = "ada@example.com",
            ["Form.UserRole"] = "internal_user",
            ["Form.Teams"] = "research",
        });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (createTeam.StatusCode, createUser.StatusCode));
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var team = await db.Teams.AsNoTracking().Include(t => t.Members).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(("Research", 100.0, "30d", "ada"), (team.TeamAlias, team.MaxBudget, team.BudgetDuration, Assert.Single(team.Members).UserId));
        Assert.NotNull(team.BudgetResetAt);
        Assert.Contains("Research", await Browser.GetPageAsync("/gateway/budgets"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_sees_the_gateway_pages_but_the_server_refuses_their_changes()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var secret = await CreateKeyAsync("guarded");
        var token = VirtualKeyHasher.Token(secret);
        using var viewer = new BrowserlessClient(Host.BaseAddress);
        await viewer.SignInAsync(UiHost.ViewerEmail, UiHost.ViewerPassword);
        var page = await viewer.GetPageAsync("/gateway/keys");

        var create = await viewer.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("sneaky"));
        var block = await viewer.PostFormAsync("/gateway/keys", page, new Dictionary<string, string> { ["_handler"] = $"block-{token}", ["Form.Token"] = token });
        var delete = await viewer.PostFormAsync("/gateway/keys", page, new Dictionary<string, string> { ["_handler"] = $"delete-{token}", ["Form.Token"] = token });
        var team = await viewer.PostFormAsync("/gateway/teams", await viewer.GetPageAsync("/gateway/teams"), new Dictionary<string, string> { ["_handler"] = "create-team", ["Form.TeamId"] = "sneaky" });

        // The admin forms are not rendered for a viewer, so the server refuses the posts before any handler runs
        // (and the handlers check the admin role again themselves).
        Assert.All([create, block, delete, team], response => Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden }));
        Assert.DoesNotContain("data-testid=\"create-key\"", page, StringComparison.Ordinal);
        var key = Assert.Single(await KeysAsync());
        Assert.False(key.Blocked);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(Host, secret)).StatusCode);
    }

    private async Task<string> CreateKeyAsync(string alias)
    {
        var page = await Browser.GetPageAsync("/gateway/keys");
        var response = await Browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey(alias));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return GatewayForms.IssuedSecret().Match(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value;
    }

    private async Task PostKeyActionAsync(string action, string token)
    {
        var page = await Browser.GetPageAsync("/gateway/keys");
        var response = await Browser.PostFormAsync("/gateway/keys", page, new Dictionary<string, string> { ["_handler"] = $"{action}-{token}", ["Form.Token"] = token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<VirtualKey>> KeysAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().VirtualKeys.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    private async Task<List<AuditLogEntry>> AuditAsync(string objectId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().AuditLog.AsNoTracking()
            .Where(a => a.ObjectId == objectId).OrderByDescending(a => a.UpdatedAt).ToListAsync(TestContext.Current.CancellationToken);
    }
}
