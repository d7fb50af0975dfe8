using System.Net;
using System.Text.RegularExpressions;
using Storage.Security;

namespace TraceUi.Tests;

public sealed partial class ProjectKeysPageTests : UiTest
{
    private static Dictionary<string, string> CreateForm(string note) => new()
    {
        ["_handler"] = $"create-{UiHost.ProjectId}",
        ["Action.ProjectId"] = UiHost.ProjectId,
        ["Action.Note"] = note,
    };

    [Fact]
    public async Task Admin_creates_a_key_whose_secret_is_shown_once_and_stored_only_hashed()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync("/settings/projects");

        var response = await Browser.PostFormAsync("/settings/projects", page, CreateForm("checkout service"));
        var result = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var secret = IssuedSecret().Match(result).Groups[1].Value;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("sk-lf-", secret, StringComparison.Ordinal);
        var key = Assert.Single(await UiHost.KeysAsync(Host), k => k.Note == "checkout service");
        Assert.True(ApiKeySecretHasher.Verify(secret, key.SecretSalt, key.SecretHash));
        Assert.DoesNotContain(secret, await Browser.GetPageAsync("/settings/projects"), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_revokes_a_key()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync("/settings/projects");
        var keyId = Assert.Single(await UiHost.KeysAsync(Host)).Id;

        var response = await Browser.PostFormAsync("/settings/projects", page, new Dictionary<string, string>
        {
            ["_handler"] = $"revoke-{keyId}",
            ["Action.KeyId"] = keyId,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await UiHost.KeysAsync(Host));
    }

    [Fact]
    public async Task Viewer_sees_the_project_but_cannot_create_or_revoke_keys()
    {
        await Browser.SignInAsync(UiHost.ViewerEmail, UiHost.ViewerPassword);
        var page = await Browser.GetPageAsync("/settings/projects");
        var keyId = Assert.Single(await UiHost.KeysAsync(Host)).Id;

        var create = await Browser.PostFormAsync("/settings/projects", page, CreateForm("sneaky"));
        var revoke = await Browser.PostFormAsync("/settings/projects", page, new Dictionary<string, string>
        {
            ["_handler"] = $"revoke-{keyId}",
            ["Action.KeyId"] = keyId,
        });

        Assert.Contains("Web shop", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Create API key", page, StringComparison.Ordinal);
        // The admin forms are not rendered for a viewer, so the posts are refused before any handler runs.
        Assert.Contains(create.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden });
        Assert.Contains(revoke.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden });
        Assert.Equal(keyId, Assert.Single(await UiHost.KeysAsync(Host)).Id);
    }

    [GeneratedRegex("data-testid=\"issued-secret\">([^<]+)<")]
    private static partial Regex IssuedSecret();
}
