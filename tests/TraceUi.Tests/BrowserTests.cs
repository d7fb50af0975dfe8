using Microsoft.Playwright;

namespace TraceUi.Tests;

/// <summary>The UI as a person uses it, in headless Chromium, on traces sent through the ingestion API.</summary>
public sealed class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private string Project(string rest) => $"/project/{UiHost.ProjectId}/{rest}";

    [Fact]
    public async Task Signed_in_admin_lands_on_the_trace_list_and_filters_it()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);

        Assert.EndsWith(Project("traces"), new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(8, await page.Locator("[data-testid=trace-table] tbody tr[data-trace-id]").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "trace-list");

        await page.FillAsync("input[name=name]", "checkout");
        await page.ClickAsync("form.filters button[type=submit]");
        await BrowserFixture.WaitForPageAsync(page, "url => url.searchParams.get('name') === 'checkout'");
        var rows = page.Locator("[data-testid=trace-table] tbody tr[data-trace-id]");

        Assert.Equal(3, await rows.CountAsync());
        Assert.All(await rows.Locator("td:nth-child(2)").AllInnerTextsAsync(), name => Assert.Equal("checkout", name));

        await page.GotoAsync(Project("traces?level=ERROR"));
        Assert.Equal(["trace-batch-5"], await page.Locator("tbody tr[data-trace-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.traceId)"));

        await page.GotoAsync(Project("traces?model=gpt-4o-mini&sort=latency&dir=asc"));
        Assert.Equal(["trace-batch-0", "trace-batch-2", "trace-batch-4"], await page.Locator("tbody tr[data-trace-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.traceId)"));
    }

    [Fact]
    public async Task Trace_detail_shows_the_nested_observations_and_a_generations_cost()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);

        await page.ClickAsync($"tr[data-trace-id={SeededTraces.NestedTraceId}] td:nth-child(2) a");
        await BrowserFixture.WaitForPageAsync(page, $"url => url.pathname.endsWith('/traces/{SeededTraces.NestedTraceId}')");
        var tree = page.Locator(".tree-grid a[data-observation-id]");

        Assert.Equal(["span-pipeline", "span-retrieve", SeededTraces.GenerationId], await tree.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.observationId)"));
        var indents = await tree.Locator(".tree-cell").EvaluateAllAsync<double[]>("cells => cells.map(c => parseFloat(getComputedStyle(c).paddingLeft))");
        Assert.True(indents[1] > indents[0] && indents[2] == indents[1], string.Join(", ", indents));
        Assert.Equal(4, await page.Locator(".tree-grid .bar").CountAsync());
        Assert.Contains("Where is my order?", await page.Locator("[data-testid=trace-input]").InnerTextAsync(), StringComparison.Ordinal);

        await page.ClickAsync($"a[data-observation-id={SeededTraces.GenerationId}]");
        await BrowserFixture.WaitForPageAsync(page, $"url => url.searchParams.get('observation') === '{SeededTraces.GenerationId}'");
        var panel = page.Locator("[data-testid=observation-panel]");

        Assert.Equal(SeededTraces.GenerationCost, await panel.Locator("[data-testid=observation-cost]").InnerTextAsync());
        Assert.Equal("gpt-4o", await panel.Locator("[data-testid=observation-model]").InnerTextAsync());
        Assert.Equal(["system", "user"], (await panel.Locator("[data-testid=observation-input] .message .role").AllInnerTextsAsync()).Select(r => r.ToLowerInvariant()));
        Assert.Contains("helpfulness", await panel.Locator("[data-testid=scores]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("400 ms", await panel.Locator("[data-testid=observation-facts]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "trace-detail");

        var exported = await page.Context.APIRequest.GetAsync(Project($"traces/{SeededTraces.NestedTraceId}/json"));
        Assert.Equal(200, exported.Status);
        Assert.Contains("\"compose-answer\"", await exported.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markup_in_trace_content_is_shown_as_text_and_never_runs()
    {
        var (page, dialogs) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);
        var injected = "() => document.querySelectorAll('img[src=\"x\"], main script, [onerror]').length";

        await page.GotoAsync(Project("traces"));
        Assert.Equal(0, await page.EvaluateAsync<int>(injected));
        Assert.Contains(SeededTraces.Image, await page.Locator($"tr[data-trace-id={SeededTraces.HostileTraceId}]").InnerTextAsync(), StringComparison.Ordinal);

        await page.GotoAsync(Project($"traces/{SeededTraces.HostileTraceId}"));
        Assert.Equal($"{SeededTraces.Script} and {SeededTraces.Image}", (await page.Locator("[data-testid=trace-input]").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.EvaluateAsync<int>(injected));

        await page.GotoAsync(Project($"traces/{SeededTraces.HostileTraceId}?observation=gen-hostile"));
        Assert.Contains(SeededTraces.Script + SeededTraces.Image, await page.Locator("[data-testid=observation-input]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>(injected));

        await page.GotoAsync(Project($"users/{Uri.EscapeDataString(SeededTraces.Script)}"));
        await page.GotoAsync(Project("dashboard"));
        Assert.Equal(0, await page.EvaluateAsync<int>(injected));
        Assert.Empty(dialogs);
        Assert.NotEqual("pwned", await page.TitleAsync());
        await BrowserFixture.ScreenshotAsync(page, "hostile-trace");
    }

    [Fact]
    public async Task Sessions_users_and_dashboard_add_up_the_traces()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.AdminEmail, UiHost.AdminPassword);

        await page.GotoAsync(Project("sessions"));
        await BrowserFixture.ScreenshotAsync(page, "sessions");
        await page.ClickAsync("[data-testid=group-table] a:text-is('session-42')");
        await BrowserFixture.WaitForPageAsync(page, "url => url.pathname.endsWith('/sessions/session-42')");
        Assert.Contains(SeededTraces.GenerationCost, await page.Locator("[data-testid=group-totals]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("tbody tr[data-trace-id]").CountAsync());

        await page.GotoAsync(Project("users"));
        await BrowserFixture.ScreenshotAsync(page, "users");
        var bob = page.Locator("[data-testid=group-table] tr", new PageLocatorOptions { HasText = "bob" });
        Assert.Equal("2", (await bob.Locator("td").Nth(1).InnerTextAsync()).Trim());

        await page.GotoAsync(Project("dashboard?range=24h"));
        Assert.Equal(3, await page.Locator(".chart svg").CountAsync());
        Assert.True(await page.Locator("[data-testid=chart-cost] rect").CountAsync() > 0);
        Assert.Equal("12.5 %", await page.Locator("[data-testid=error-rate]").InnerTextAsync());
        var latency = await page.Locator("[data-testid=latency-table]").InnerTextAsync();
        Assert.Contains("gpt-4o-mini", latency, StringComparison.Ordinal);
        Assert.Contains("alice", await page.Locator("[data-testid=top-users]").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "dashboard");
    }

    [Fact]
    public async Task Viewer_reads_traces_but_is_offered_no_admin_action()
    {
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, UiHost.ViewerEmail, UiHost.ViewerPassword);

        Assert.Equal(8, await page.Locator("tbody tr[data-trace-id]").CountAsync());
        await page.GotoAsync("/settings/projects");
        Assert.Equal(0, await page.Locator("button:text-is('Create API key'), button:text-is('Revoke')").CountAsync());
        Assert.DoesNotContain("Globex", await page.ContentAsync(), StringComparison.Ordinal);
        var other = await page.Context.APIRequest.GetAsync($"/project/{UiHost.OtherProjectId}/traces");
        Assert.Equal(404, other.Status);
        await BrowserFixture.ScreenshotAsync(page, "projects-viewer");
    }

    [Fact]
    public async Task Without_a_session_the_browser_is_sent_to_sign_in()
    {
        var (page, _) = await fixture.NewPageAsync();

        await page.GotoAsync(Project($"traces/{SeededTraces.NestedTraceId}"));

        Assert.Equal("/sign-in", new Uri(page.Url).AbsolutePath);
        await BrowserFixture.ScreenshotAsync(page, "sign-in");
    }
}
