using System.Net;

namespace TraceUi.Tests;

public sealed class SignInTests : UiTest
{
    [Theory]
    [InlineData("/")]
    [InlineData("/settings/projects")]
    public async Task Pages_redirect_to_sign_in_without_a_session(string path)
    {
        var response = await Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/sign-in?ReturnUrl=", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Initial_admin_signs_in_lands_on_the_trace_list_and_sees_the_projects_page()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);

        var home = await Browser.GetAsync("/");
        var projects = await Browser.GetPageAsync("/settings/projects");

        Assert.Equal("/project/web-shop/traces", home.Headers.Location?.OriginalString);
        Assert.Contains("Web shop", projects, StringComparison.Ordinal);
        Assert.Contains(UiHost.PublicKey, projects, StringComparison.Ordinal);
        Assert.Contains($"sk-lf-...{UiHost.SecretKey[^4..]}", projects, StringComparison.Ordinal);
        Assert.DoesNotContain(UiHost.SecretKey, projects, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_returns_to_the_sign_in_page_without_a_session()
    {
        var page = await Browser.GetPageAsync("/sign-in");

        var response = await Browser.PostFormAsync("/account/sign-in", page, new Dictionary<string, string> { ["Email"] = UiHost.AdminEmail, ["Password"] = "wrong" });
        var again = await Browser.GetPageAsync(response.Headers.Location!.OriginalString);

        Assert.StartsWith("/sign-in?failed=true", response.Headers.Location.OriginalString, StringComparison.Ordinal);
        Assert.Contains("E-mail or password is wrong", again, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await Browser.GetAsync("/settings/projects")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_post_without_antiforgery_token_is_refused()
    {
        var page = await Browser.GetPageAsync("/sign-in");

        var response = await Browser.PostFormAsync("/account/sign-in", page, new Dictionary<string, string> { ["Email"] = UiHost.AdminEmail, ["Password"] = UiHost.AdminPassword }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Browser.GetAsync("/settings/projects")).StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/steal")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Return_url_to_another_site_is_ignored(string returnUrl)
    {
        var page = await Browser.GetPageAsync("/sign-in");

        var response = await Browser.PostFormAsync("/account/sign-in", page, new Dictionary<string, string>
        {
            ["Email"] = UiHost.AdminEmail, ["Password"] = UiHost.AdminPassword, ["ReturnUrl"] = returnUrl,
        });

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync("/settings/projects");

        var response = await Browser.PostFormAsync("/account/sign-out", page, new Dictionary<string, string>());

        Assert.Equal("/sign-in", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await Browser.GetAsync("/settings/projects")).StatusCode);
    }
}
