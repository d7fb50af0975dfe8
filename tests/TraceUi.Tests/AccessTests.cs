using System.Net;

namespace TraceUi.Tests;

public sealed class AccessTests : UiTest
{
    [Theory]
    [InlineData("/project/web-shop/traces")]
    [InlineData("/project/web-shop/traces/any-trace")]
    [InlineData("/project/web-shop/traces/any-trace/json")]
    [InlineData("/project/web-shop/sessions")]
    [InlineData("/project/web-shop/sessions/s-1")]
    [InlineData("/project/web-shop/users")]
    [InlineData("/project/web-shop/users/u-1")]
    [InlineData("/project/web-shop/dashboard")]
    [InlineData("/project/web-shop/settings/prices")]
    public async Task Pages_and_data_redirect_to_sign_in_without_a_session(string path)
    {
        var response = await Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/sign-in?ReturnUrl=", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/project/globex-internal/traces")]
    [InlineData("/project/globex-internal/dashboard")]
    [InlineData("/project/globex-internal/traces/any-trace/json")]
    [InlineData("/project/no-such-project/traces")]
    public async Task A_viewer_cannot_read_a_project_outside_their_organisations(string path)
    {
        await Browser.SignInAsync(UiHost.ViewerEmail, UiHost.ViewerPassword);

        var response = await Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_admin_reads_every_project()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);

        var page = await Browser.GetPageAsync("/project/globex-internal/traces");

        Assert.Contains("Globex internal", page, StringComparison.Ordinal);
    }
}
