using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Governance;

/// <summary>Rate limits and budgets of keys, teams, users, end users and the whole proxy, on one gateway with the embedded stores.</summary>
public sealed class LimitsAndBudgetsTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private async Task StartAsync(string extra = "", Dictionary<string, string?>? settings = null) =>
        _gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(extra), GovernanceConfig.FastSettings(settings));

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _data.Dispose();
    }

    private Task<ManagementCalls.Reply> ChatAsync(string key, string body = GovernanceConfig.ChatBody) =>
        _gateway.PostAsync("/v1/chat/completions", body, key);

    /// <summary>Settlement runs after the response, in the background: wait until it has, by watching a value it changes.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(50, Cancellation);
        }
    }

    private async Task<double> KeySpendAsync(string key) =>
        (await _gateway.GetAsync($"/key/info?key={key}")).AssertOk().Body!["info"]!["spend"]!.GetValue<double>();

    [Fact]
    public async Task A_keys_rpm_limit_is_a_429_with_Retry_After_once_reached()
    {
        await StartAsync();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["rpm_limit"] = 3, ["key_alias"] = "rpm-3" });

        var replies = new List<ManagementCalls.Reply>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add(await ChatAsync(key));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], replies.Select(r => r.Status));
        var error = replies[3].AssertError(HttpStatusCode.TooManyRequests, "rate_limit_error");
        Assert.Contains("'rpm-3': 3 requests per minute", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(replies[3].RetryAfter!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Max_parallel_requests_holds_a_second_call_while_the_first_is_in_flight()
    {
        await StartAsync("""
              - model_name: slow
                litellm_params: {model: mock/slow, mock_latency_ms: 3000}
            """);
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["max_parallel_requests"] = 1 });
        var slowBody = """{"model":"slow","messages":[{"role":"user","content":"hi"}]}""";

        var both = await Task.WhenAll(ChatAsync(key, slowBody), ChatAsync(key, slowBody));

        Assert.Single(both, reply => reply.Status == HttpStatusCode.OK);
        var refused = Assert.Single(both, reply => reply.Status != HttpStatusCode.OK);
        Assert.Contains("1 requests at a time", refused.AssertError(HttpStatusCode.TooManyRequests, "rate_limit_error")["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(refused.RetryAfter);
        await EventuallyAsync(async () => (await ChatAsync(key)).Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_tpm_limit_holds_calls_once_the_last_minute_used_the_tokens()
    {
        await StartAsync();
        // Each call uses 1 prompt + 10 completion tokens: the third finds 22 tokens in the window.
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["tpm_limit"] = 15 });

        // Settlement adds a call's tokens after the answer; its spend reaching the store shows it has run.
        (await ChatAsync(key)).AssertOk();
        await EventuallyAsync(async () => Math.Abs(await KeySpendAsync(key) - GovernanceConfig.CallCost) < 1e-9);
        (await ChatAsync(key)).AssertOk();
        await EventuallyAsync(async () => Math.Abs(await KeySpendAsync(key) - (2 * GovernanceConfig.CallCost)) < 1e-9);
        var third = await ChatAsync(key);

        Assert.Contains("15 tokens per minute", third.AssertError(HttpStatusCode.TooManyRequests, "rate_limit_error")["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keys_budget_is_a_429_budget_exceeded_with_its_reset_time_and_resets_with_its_period()
    {
        await StartAsync();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 0.03, ["budget_duration"] = "4s", ["key_alias"] = "budgeted" });

        for (var i = 0; i < 3; i++)
        {
            (await ChatAsync(key)).AssertOk();
        }

        var refused = await ChatAsync(key);
        var message = refused.AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded")["message"]!.GetValue<string>();
        Assert.Contains("Budget has been exceeded! Key=budgeted", message, StringComparison.Ordinal);
        Assert.Contains("Max budget: 0.03", message, StringComparison.Ordinal);
        Assert.Contains("The budget resets at", message, StringComparison.Ordinal);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

        await Task.Delay(refused.RetryAfter.Value + TimeSpan.FromMilliseconds(300), Cancellation);
        (await ChatAsync(key)).AssertOk();
        await EventuallyAsync(async () => Math.Abs(await KeySpendAsync(key) - GovernanceConfig.CallCost) < 1e-9);
    }

    [Fact]
    public async Task Setting_a_keys_spend_takes_effect_on_its_budget_at_once()
    {
        await StartAsync();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 0.02 });
        (await ChatAsync(key)).AssertOk();
        (await ChatAsync(key)).AssertOk();
        (await ChatAsync(key)).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");
        await EventuallyAsync(async () => Math.Abs(await KeySpendAsync(key) - 0.02) < 1e-9);

        (await _gateway.PostAsync($"/key/{key}/reset_spend", """{"reset_to":0.01}""")).AssertOk();
        (await ChatAsync(key)).AssertOk();
        (await ChatAsync(key)).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");
        (await _gateway.PostAsync("/key/update", new JsonObject { ["key"] = key, ["spend"] = 0 })).AssertOk();
        (await ChatAsync(key)).AssertOk();
        (await _gateway.PostAsync($"/key/{key}/reset_spend", """{"reset_to":5}""")).AssertError(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Keys_of_a_team_share_its_budget_and_a_users_keys_share_the_users()
    {
        await StartAsync();
        (await _gateway.PostAsync("/team/new", """{"team_id":"shared","team_alias":"Shared","max_budget":0.02}""")).AssertOk();
        (await _gateway.PostAsync("/user/new", """{"user_id":"carol","max_budget":0.01,"auto_create_key":false}""")).AssertOk();
        var first = await _gateway.GenerateKeyAsync(new JsonObject { ["team_id"] = "shared" });
        var second = await _gateway.GenerateKeyAsync(new JsonObject { ["team_id"] = "shared" });
        var carolsA = await _gateway.GenerateKeyAsync(new JsonObject { ["user_id"] = "carol" });
        var carolsB = await _gateway.GenerateKeyAsync(new JsonObject { ["user_id"] = "carol" });

        (await ChatAsync(first)).AssertOk();
        (await ChatAsync(second)).AssertOk();
        var team = (await ChatAsync(first)).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");
        (await ChatAsync(carolsA)).AssertOk();
        var user = (await ChatAsync(carolsB)).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");

        Assert.Contains("Team=Shared", team["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("User=carol", user["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("budget_exceeded", team["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task End_users_named_in_calls_have_the_default_budget_or_their_own()
    {
        await StartAsync("""
            litellm_settings:
              max_end_user_budget: 0.01
            """);
        (await _gateway.PostAsync("/customer/new", """{"user_id":"big-customer","max_budget":0.02}""")).AssertOk();
        var key = await _gateway.GenerateKeyAsync();
        static string As(string user) => $$"""{"model":"chat","max_tokens":10,"user":"{{user}}","messages":[{"role":"user","content":"hi"}]}""";

        (await ChatAsync(key, As("small-customer"))).AssertOk();
        var small = (await ChatAsync(key, As("small-customer"))).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");
        (await ChatAsync(key, As("big-customer"))).AssertOk();
        (await ChatAsync(GatewayHost.MasterKey, As("big-customer"))).AssertOk();
        var big = (await ChatAsync(key, As("big-customer"))).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");

        Assert.Contains("End user=small-customer", small["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("End user=big-customer", big["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await EventuallyAsync(async () =>
            (await _gateway.GetAsync("/customer/list")).AssertOk().Body!.AsArray().Any(c => c!["user_id"]!.GetValue<string>() == "small-customer"));
        (await _gateway.PostAsync("/customer/block", """{"user_ids":["small-customer"]}""")).AssertOk();
        Assert.Equal("end_user_blocked", (await ChatAsync(key, As("small-customer"))).AssertError(HttpStatusCode.Forbidden)["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_proxy_wide_budget_from_litellm_settings_holds_every_caller()
    {
        await StartAsync("""
            litellm_settings:
              max_budget: 0.02
              budget_duration: 30d
            """);
        var key = await _gateway.GenerateKeyAsync();

        (await ChatAsync(key)).AssertOk();
        (await ChatAsync(GatewayHost.MasterKey)).AssertOk();
        var refused = (await ChatAsync(GatewayHost.MasterKey)).AssertError(HttpStatusCode.TooManyRequests, "budget_exceeded");

        Assert.Contains("Proxy=global", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await EventuallyAsync(async () =>
            (await _gateway.GetAsync("/global/spend")).AssertOk().Body!["current_period_spend"]?.GetValue<double>() is { } spend && Math.Abs(spend - 0.02) < 1e-9);
        var global = (await _gateway.GetAsync("/global/spend")).AssertOk().Body!;
        Assert.Equal(0.02, global["max_budget"]!.GetValue<double>());
        Assert.Equal(0.02, global["spend"]!.GetValue<double>(), 9);
    }

    [Fact]
    public async Task Spend_is_rolled_up_per_key_team_user_model_and_day()
    {
        await StartAsync();
        (await _gateway.PostAsync("/team/new", """{"team_id":"finance","team_alias":"Finance"}""")).AssertOk();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["team_id"] = "finance", ["user_id"] = "dave", ["key_alias"] = "fin-bot" });
        var other = await _gateway.GenerateKeyAsync();
        for (var i = 0; i < 3; i++)
        {
            (await ChatAsync(key)).AssertOk();
        }

        (await ChatAsync(other)).AssertOk();
        (await _gateway.PostAsync("/v1/chat/completions", """{"model":"other","messages":[{"role":"user","content":"free"}]}""", other)).AssertOk();

        await EventuallyAsync(async () => Math.Abs(await KeySpendAsync(key) - (3 * GovernanceConfig.CallCost)) < 1e-9);
        var team = (await _gateway.GetAsync("/team/info?team_id=finance")).AssertOk().Body!["team_info"]!;
        var user = (await _gateway.GetAsync("/user/info?user_id=dave")).AssertOk().Body!["user_info"]!;
        var spendKeys = (await _gateway.GetAsync("/spend/keys")).AssertOk().Body!.AsArray();
        var topKeys = (await _gateway.GetAsync("/global/spend/keys?limit=1")).AssertOk().Body!.AsArray();
        var teams = (await _gateway.GetAsync("/global/spend/teams")).AssertOk().Body!;
        var models = (await _gateway.GetAsync("/global/spend/models")).AssertOk().Body!.AsArray();
        var global = (await _gateway.GetAsync("/global/spend")).AssertOk().Body!;

        Assert.Equal(0.03, team["spend"]!.GetValue<double>(), 9);
        Assert.Equal(0.03, user["spend"]!.GetValue<double>(), 9);
        Assert.Equal(0.03, spendKeys[0]!["spend"]!.GetValue<double>(), 9);
        Assert.Equal("fin-bot", Assert.Single(topKeys)!["key_alias"]!.GetValue<string>());
        Assert.Equal(0.03, topKeys[0]!["total_spend"]!.GetValue<double>(), 9);
        Assert.Equal(["Finance"], teams["teams"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(0.03, teams["total_spend_per_team"]![0]!["total_spend"]!.GetValue<double>(), 9);
        Assert.Equal(0.03, teams["daily_spend"]![0]!["Finance"]!.GetValue<double>(), 9);
        Assert.Equal(0.04, models.Single(m => m!["model"]!.GetValue<string>() == "chat")!["total_spend"]!.GetValue<double>(), 9);
        Assert.Equal(0, models.Single(m => m!["model"]!.GetValue<string>() == "other")!["total_spend"]!.GetValue<double>(), 9);
        Assert.Equal(0.04, global["spend"]!.GetValue<double>(), 9);
    }

    [Fact]
    public async Task Crossing_a_soft_budget_is_logged_once_and_calls_go_on()
    {
        await StartAsync();
        var key = await _gateway.GenerateKeyAsync(new JsonObject { ["soft_budget"] = 0.015, ["key_alias"] = "soft" });

        for (var i = 0; i < 4; i++)
        {
            (await ChatAsync(key)).AssertOk();
            await Task.Delay(100, Cancellation);
        }

        await EventuallyAsync(() => Task.FromResult(_gateway.Logs.Lines.Any(l => l.Contains("'soft' crossed its soft budget", StringComparison.Ordinal))));
        await Task.Delay(300, Cancellation);
        Assert.Single(_gateway.Logs.Lines, l => l.Contains("'soft' crossed its soft budget", StringComparison.Ordinal));
    }
}
