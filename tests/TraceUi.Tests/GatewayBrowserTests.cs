using System.Net;

namespace TraceUi.Tests;

/// <summary>The Gateway section as an admin uses it in headless Chromium, with the gateway running in the same host.</summary>
public sealed class GatewayBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Admin_creates_a_key_in_the_ui_the_gateway_serves_it_and_refuses_it_once_blocked()
    {
        var (page, dialogs) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);
        await page.GotoAsync("/gateway/keys");

        var create = page.Locator("[data-testid=create-key]");
        await create.Locator("input[name='Form.KeyAlias']").FillAsync("browser-key");
        await create.Locator("input[name='Form.Models']").FillAsync("mock-echo, mock-fixed");
        await create.Locator("input[name='Form.MaxBudget']").FillAsync("2.5");
        await create.Locator("input[name='Form.RpmLimit']").FillAsync("60");
        await create.Locator("button[type=submit]").ClickAsync();
        var secret = await page.Locator("[data-testid=issued-secret]").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "gateway-key-created");

        Assert.StartsWith("sk-", secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(fixture.Host, secret)).StatusCode);

        var row = page.Locator("tr[data-key=browser-key]");
        Assert.Contains("60 RPM", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await row.InnerTextAsync(), StringComparison.Ordinal);
        await row.Locator("button:text('Block')").ClickAsync();
        await page.Locator("tr[data-key=browser-key] [data-testid=blocked]").WaitForAsync();

        var refused = await GatewayCalls.ChatAsync(fixture.Host, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("this key is blocked", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(dialogs);
        await BrowserFixture.ScreenshotAsync(page, "gateway-keys");

        await row.Locator("a").First.ClickAsync();
        await BrowserFixture.WaitForPageAsync(page, "url => url.pathname.startsWith('/gateway/keys/')");
        Assert.Contains("blocked", await page.Locator("[data-testid=audit]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-key-detail");
    }

    [Fact]
    public async Task Admin_creates_a_team_and_a_user_and_sees_budgets_and_model_health()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);

        await page.GotoAsync("/gateway/teams");
        var team = page.Locator("[data-testid=create-team]");
        await team.Locator("input[name='Form.TeamId']").FillAsync("support");
        await team.Locator("input[name='Form.TeamAlias']").FillAsync("Support desk");
        await team.Locator("input[name='Form.MaxBudget']").FillAsync("40");
        await team.Locator("input[name='Form.BudgetDuration']").FillAsync("1mo");
        await team.Locator("button[type=submit]").ClickAsync();
        await page.Locator("tr[data-team=support]").WaitForAsync();
        Assert.Contains("$40", await page.Locator("tr[data-team=support] [data-testid=usage]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-teams");

        await page.GotoAsync("/gateway/users");
        var user = page.Locator("[data-testid=create-user]");
        await user.Locator("input[name='Form.UserId']").FillAsync("grace");
        await user.Locator("input[name='Form.UserEmail']").FillAsync("grace@example.com");
        await user.Locator("input[name='Form.Teams']").FillAsync("support");
        await user.Locator("button[type=submit]").ClickAsync();
        await page.Locator("tr[data-user=grace]").WaitForAsync();
        Assert.Contains("support", await page.Locator("tr[data-user=grace]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-users");

        await page.GotoAsync("/gateway/teams/support");
        Assert.Contains("grace", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-team-detail");

        await page.GotoAsync("/gateway/budgets");
        Assert.Contains("Support desk", await page.Locator("[data-testid=team-budgets]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-budgets");

        await page.GotoAsync("/gateway/models");
        Assert.Equal(["mock-echo", "mock-fixed"], await page.Locator("[data-model-group]").EvaluateAllAsync<string[]>("groups => groups.map(g => g.dataset.modelGroup)"));
        Assert.Contains("healthy", await page.Locator("[data-model-group=mock-echo] [data-testid=state]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "gateway-models");
    }

    [Fact]
    public async Task A_viewer_sees_keys_without_any_admin_form()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.ViewerEmail, UiHost.ViewerPassword);

        await page.GotoAsync("/gateway/keys");

        Assert.Equal(0, await page.Locator("[data-testid=create-key]").CountAsync());
        Assert.Equal(0, await page.Locator("button:text('Block')").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "gateway-keys-viewer");
    }
}
