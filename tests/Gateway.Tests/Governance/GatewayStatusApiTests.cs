using System.Net;
using System.Text.Json.Nodes;
using Storage.Governance;

namespace Gateway.Tests.Governance;

/// <summary>The admin status route a TraceUi deployed apart from the gateway reads the live catalog from.</summary>
public sealed class GatewayStatusApiTests : ManagementApiTest
{
    [Fact]
    public async Task The_master_key_reads_the_model_groups_and_their_deployments()
    {
        var status = (await Host.GetAsync(GatewayStatusJson.Route)).AssertOk().Body!;

        var groups = status["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["chat", "other", "embed"], groups);
        Assert.All(status["groups"]!.AsArray(), g => Assert.NotEmpty(g!["deployments"]!.AsArray()));
        Assert.IsType<JsonArray>(status["patterns"]);
    }

    [Fact]
    public async Task Callers_without_the_admin_role_are_refused()
    {
        var virtualKey = await Host.GenerateKeyAsync();

        var anonymous = await Host.GetAsync(GatewayStatusJson.Route, key: null);
        var wrongKey = await Host.GetAsync(GatewayStatusJson.Route, key: "sk-not-the-master-key");
        var withVirtualKey = await Host.GetAsync(GatewayStatusJson.Route, key: virtualKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.Status);
        Assert.Equal(HttpStatusCode.Forbidden, withVirtualKey.Status);
        Assert.DoesNotContain("groups", withVirtualKey.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_refresh_names_an_existing_deployment_with_a_refreshable_credential()
    {
        var unknown = await Host.PostAsync(Refresh("no-such-deployment"), "");
        var staticKey = await Host.PostAsync(Refresh("chat"), "");
        var unnamed = await Host.PostAsync(GatewayStatusJson.CredentialRefreshRoute, "");

        Assert.Equal("deployment_not_found", unknown.AssertError(HttpStatusCode.NotFound, "invalid_request_error")["code"]!.GetValue<string>());
        Assert.Contains("'no-such-deployment'", unknown.Text, StringComparison.Ordinal);
        Assert.Equal("credential_not_refreshable", staticKey.AssertError(HttpStatusCode.Conflict, "invalid_request_error")["code"]!.GetValue<string>());
        Assert.Equal("missing_deployment", unnamed.AssertError(HttpStatusCode.BadRequest, "invalid_request_error")["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_credential_refresh_by_a_caller_without_the_admin_role_is_refused()
    {
        var virtualKey = await Host.GenerateKeyAsync();

        var anonymous = await Host.PostAsync(Refresh("chat"), "", key: null);
        var withVirtualKey = await Host.PostAsync(Refresh("chat"), "", key: virtualKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Forbidden, withVirtualKey.Status);
    }

    private static string Refresh(string deployment) =>
        $"{GatewayStatusJson.CredentialRefreshRoute}?{GatewayStatusJson.DeploymentParameter}={Uri.EscapeDataString(deployment)}";
}
