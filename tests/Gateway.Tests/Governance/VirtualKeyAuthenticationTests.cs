using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace Gateway.Tests.Governance;

/// <summary>Virtual keys on the model API, called through the official OpenAI .NET SDK where a client would use it.</summary>
public sealed class VirtualKeyAuthenticationTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings());

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _data.Dispose();
    }

    private async Task<ManagementCalls.Reply> ChatAsync(string key, string model = "chat", string header = "Authorization")
    {
        using var request = GatewayClients.Post("/v1/chat/completions", $$"""{"model":"{{model}}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", key: null);
        request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? $"Bearer {key}" : key);
        using var response = await _gateway.Client.SendAsync(request, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        return new ManagementCalls.Reply(response.StatusCode, JsonNode.Parse(text), text, response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_generated_key_calls_models_through_the_OpenAI_SDK()
    {
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["models"] = new JsonArray("chat") });

        var completion = await GatewayClients.Chat(_gateway, "chat", key).CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancellation);

        Assert.Equal("one two three four five six seven eight nine ten", completion.Value.Content[0].Text);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("api-key")]
    [InlineData("x-api-key")]
    public async Task A_key_is_accepted_where_OpenAI_and_Azure_SDKs_send_it(string header)
    {
        var key = await _gateway.GenerateKeyAsync();

        (await ChatAsync(key, header: header)).AssertOk();
    }

    [Fact]
    public async Task Unknown_blocked_and_expired_keys_are_401_in_OpenAIs_shape()
    {
        var blocked = await _gateway.GenerateKeyAsync(new JsonObject { ["blocked"] = true });
        var expiring = await _gateway.GenerateKeyAsync(new JsonObject { ["duration"] = "1s" });
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);

        var unknown = (await ChatAsync("sk-this-key-was-never-issued")).AssertError(HttpStatusCode.Unauthorized);
        var refusedBlocked = (await ChatAsync(blocked)).AssertError(HttpStatusCode.Unauthorized, "auth_error");
        var refusedExpired = (await ChatAsync(expiring)).AssertError(HttpStatusCode.Unauthorized, "expired_key");
        var sdk = await Assert.ThrowsAsync<ClientResultException>(() =>
            GatewayClients.Chat(_gateway, "chat", "sk-this-key-was-never-issued").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancellation));

        Assert.Equal("invalid_api_key", unknown["code"]!.GetValue<string>());
        Assert.Contains("blocked", refusedBlocked["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Expired Key", refusedExpired["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(401, sdk.Status);
        (await ChatAsync(GatewayHost.MasterKey)).AssertOk();
    }

    [Fact]
    public async Task A_key_calls_only_the_models_it_or_its_team_allows()
    {
        (await _gateway.PostAsync("/team/new", """{"team_id":"narrow","models":["other"]}""")).AssertOk();
        var chatOnly = await _gateway.GenerateKeyAsync(new JsonObject { ["models"] = new JsonArray("chat") });
        var teamKey = await _gateway.GenerateKeyAsync(new JsonObject { ["team_id"] = "narrow" });
        var wildcard = await _gateway.GenerateKeyAsync(new JsonObject { ["models"] = new JsonArray("ch*") });

        var refused = (await ChatAsync(chatOnly, "other")).AssertError(HttpStatusCode.Forbidden, "key_model_access_denied");
        var refusedByTeam = (await ChatAsync(teamKey, "chat")).AssertError(HttpStatusCode.Forbidden, "team_model_access_denied");

        Assert.Equal("model", refused["param"]!.GetValue<string>());
        Assert.Contains("models=['chat']", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await ChatAsync(chatOnly, "chat")).AssertOk();
        (await ChatAsync(teamKey, "other")).AssertOk();
        (await ChatAsync(wildcard, "chat")).AssertOk();
        (await ChatAsync(wildcard, "other")).AssertError(HttpStatusCode.Forbidden, "key_model_access_denied");
    }

    [Fact]
    public async Task A_blocked_team_stops_its_keys_until_unblocked()
    {
        (await _gateway.PostAsync("/team/new", """{"team_id":"paused"}""")).AssertOk();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["team_id"] = "paused" });
        (await ChatAsync(key)).AssertOk();

        (await _gateway.PostAsync("/team/block", """{"team_id":"paused"}""")).AssertOk();
        var refused = (await ChatAsync(key)).AssertError(HttpStatusCode.Forbidden);
        (await _gateway.PostAsync("/team/unblock", """{"team_id":"paused"}""")).AssertOk();

        Assert.Equal("team_blocked", refused["code"]!.GetValue<string>());
        (await ChatAsync(key)).AssertOk();
    }

    [Fact]
    public async Task A_regenerated_key_keeps_the_old_one_working_for_its_grace_period_only()
    {
        var withGrace = await _gateway.GenerateKeyAsync(new JsonObject { ["key_alias"] = "graceful" });
        var withoutGrace = await _gateway.GenerateKeyAsync(new JsonObject { ["key_alias"] = "abrupt" });
        (await ChatAsync(withGrace)).AssertOk();
        (await ChatAsync(withoutGrace)).AssertOk();

        var renewed = (await _gateway.PostAsync("/key/regenerate", new JsonObject { ["key"] = withGrace, ["grace_period"] = "5s" })).AssertOk().Body!["key"]!.GetValue<string>();
        var replaced = (await _gateway.PostAsync("/key/regenerate", new JsonObject { ["key"] = withoutGrace })).AssertOk().Body!["key"]!.GetValue<string>();

        (await ChatAsync(withGrace)).AssertOk();
        (await ChatAsync(renewed)).AssertOk();
        (await ChatAsync(withoutGrace)).AssertError(HttpStatusCode.Unauthorized);
        (await ChatAsync(replaced)).AssertOk();
        await Task.Delay(TimeSpan.FromSeconds(5.2), Cancellation);
        (await ChatAsync(withGrace)).AssertError(HttpStatusCode.Unauthorized);
        (await ChatAsync(renewed)).AssertOk();
    }

    [Fact]
    public async Task Without_a_master_key_the_API_stays_open_and_valid_keys_still_carry_their_limits()
    {
        using var data = new TemporaryDirectory();
        var path = data.Combine("config.yaml");
        await File.WriteAllTextAsync(path, GovernanceConfig.Yaml(), Cancellation);
        await using var open = await GatewayHost.StartAsync(data, new Dictionary<string, string?> { ["config"] = path });
        var key = (await open.PostAsync("/key/generate", """{"models":["chat"]}""", key: null)).AssertOk().Body!["key"]!.GetValue<string>();

        using var anyKey = await open.Client.SendAsync(GovernanceConfig.Chat("sk-anything-goes"), Cancellation);
        using var otherModel = await open.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"other","messages":[]}""", key), Cancellation);

        Assert.Equal(HttpStatusCode.OK, anyKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherModel.StatusCode);
    }
}
