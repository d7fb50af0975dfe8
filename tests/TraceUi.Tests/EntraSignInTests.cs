using Microsoft.Playwright;
using TestInfrastructure.FakeEntra;

namespace TraceUi.Tests;

/// <summary>
/// Sign-in with Entra ID through the real Microsoft.Identity.Web pipeline (authorization code with PKCE, the id
/// token validated against the tenant's metadata and keys), in Chromium, against a fake tenant on loopback.
/// </summary>
public sealed class EntraSignInTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string ClientSecret = "traceui-client-secret";

    private readonly TemporaryDirectory _data = new("ui-entra-");
    private FakeEntraTenant _tenant = null!;
    private TestWebHost _host = null!;

    private string ClientId { get; } = Guid.NewGuid().ToString();

    public async ValueTask InitializeAsync()
    {
        // Its own instance on loopback (the browser must reach it), so HTTP metadata and the issuer are allowed
        // here by test-only settings, as docs/configuration.md says.
        _tenant = await FakeEntraTenant.StartAsync(asMicrosoftLogin: false);
        _tenant.RegisterClient(ClientId, ClientSecret);
        _host = await UiHost.StartAsync(_data, settings: new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = _tenant.Instance,
            ["AzureAd:TenantId"] = _tenant.TenantId,
            ["AzureAd:ClientId"] = ClientId,
            ["AzureAd:ClientSecret"] = ClientSecret,
            ["AzureAd:CallbackPath"] = "/signin-oidc",
            ["AzureAd:RequireHttpsMetadata"] = "false",
            ["AzureAd:TokenValidationParameters:ValidIssuers:0"] = _tenant.Issuer,
        });
    }

    [Fact]
    public async Task An_entra_admin_signs_in_with_an_authorization_code_and_reaches_the_gateway_pages()
    {
        var page = await SignInThroughEntraAsync(new FakeEntraUser("Alan Admin", "alan@contoso.example", ["Gateway.Admin"]));

        Assert.Contains("Alan Admin (admin)", await page.Locator(".who").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("[data-testid=create-key]").CountAsync());
        var authorize = Assert.Single(_tenant.AuthorizeRequests);
        Assert.Contains("response_type=code", authorize, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", authorize, StringComparison.Ordinal);
        Assert.Contains(_tenant.TokenRequests, request => request.GetValueOrDefault("grant_type") == "authorization_code" && request.ContainsKey("code_verifier"));
        await BrowserFixture.ScreenshotAsync(page, "entra-signed-in");
    }

    [Fact]
    public async Task An_entra_viewer_signs_in_as_a_viewer()
    {
        var page = await SignInThroughEntraAsync(new FakeEntraUser("Vera Viewer", "vera@contoso.example", ["TraceUi.Viewer"]));

        Assert.Contains("Vera Viewer (viewer)", await page.Locator(".who").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=create-key]").CountAsync());
    }

    [Fact]
    public async Task An_account_without_a_traceui_role_is_turned_away()
    {
        _tenant.SignInAs(new FakeEntraUser("Nora Nobody", "nora@contoso.example", []));
        var (page, _) = await fixture.NewPageAsync(_host.BaseAddress);

        await page.GotoAsync("/sign-in");
        await page.ClickAsync("[data-testid=entra-sign-in]");
        await BrowserFixture.WaitForPageAsync(page, "url => url.searchParams.get('failed') === 'entra'");

        Assert.Contains("no TraceUi role", await page.Locator("[role=alert]").InnerTextAsync(), StringComparison.Ordinal);
        var gateway = await page.GotoAsync("/gateway/keys");
        Assert.Contains("/sign-in", gateway!.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_sign_in_is_off_while_entra_is_configured()
    {
        using var browser = new BrowserlessClient(_host.BaseAddress);
        var page = await browser.GetPageAsync("/sign-in");

        var response = await browser.PostFormAsync("/account/sign-in", page, new Dictionary<string, string> { ["Email"] = UiHost.AdminEmail, ["Password"] = UiHost.AdminPassword, ["ReturnUrl"] = "/" });

        Assert.DoesNotContain("name=\"Password\"", page, StringComparison.Ordinal);
        Assert.NotEqual("/", response.Headers.Location?.OriginalString);
        var gateway = await browser.GetAsync("/gateway/keys");
        Assert.StartsWith("/sign-in", gateway.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    /// <summary>Opens a gateway page without a session and signs in as <paramref name="user"/> from the sign-in page it leads to.</summary>
    private async Task<IPage> SignInThroughEntraAsync(FakeEntraUser user)
    {
        _tenant.SignInAs(user);
        var (page, _) = await fixture.NewPageAsync(_host.BaseAddress);
        await page.GotoAsync("/gateway/keys");
        await page.ClickAsync("[data-testid=entra-sign-in]");
        await BrowserFixture.WaitForPageAsync(page, "url => url.href.endsWith('/gateway/keys')");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _tenant.DisposeAsync();
        _data.Dispose();
    }
}
