using System.Net;
using System.Text.Json.Nodes;
using Gateway.Governance;

namespace Gateway.Tests.Governance;

/// <summary>The relational store goes down under a running gateway: known keys keep working, spend waits, nothing is lost.</summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    // A server of its own: stopping the assembly's shared one would take other tests down with it.
    private readonly PostgresServer _postgres = new();
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings(new Dictionary<string, string?>
        {
            ["ConnectionStrings:projectdb"] = await _postgres.CreateDatabaseAsync("outage"),
            ["Gateway:Governance:CacheRefreshInterval"] = "00:00:01",
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _postgres.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Known_keys_keep_working_and_spend_is_buffered_until_the_store_is_back()
    {
        var known = await _gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 1, ["rpm_limit"] = 100 });
        var notYetUsed = await _gateway.GenerateKeyAsync();
        (await _gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, known)).AssertOk();

        await _postgres.StopAsync();
        // Past the refresh interval: the cached key is stale, its background refresh fails, it keeps serving.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancellation);
        var during = new List<ManagementCalls.Reply>();
        for (var i = 0; i < 5; i++)
        {
            during.Add(await _gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, known));
        }

        var uncached = await _gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, notYetUsed);
        var management = await _gateway.PostAsync("/key/generate", "{}");
        await _postgres.StartAsync();

        Assert.All(during, reply => reply.AssertOk());
        Assert.Equal("key_store_unavailable", uncached.AssertError(HttpStatusCode.ServiceUnavailable)["code"]!.GetValue<string>());
        Assert.Equal("store_unavailable", management.AssertError(HttpStatusCode.ServiceUnavailable)["code"]!.GetValue<string>());
        Assert.Contains(_gateway.Logs.Lines, line => line.Contains("Relational store unreachable", StringComparison.Ordinal));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        double spend = 0;
        while (DateTime.UtcNow < deadline && Math.Abs(spend - (6 * GovernanceConfig.CallCost)) > 1e-9)
        {
            await Task.Delay(200, Cancellation);
            var info = await _gateway.GetAsync($"/key/info?key={known}");
            spend = info.Status == HttpStatusCode.OK ? info.Body!["info"]!["spend"]!.GetValue<double>() : 0;
        }

        Assert.Equal(6 * GovernanceConfig.CallCost, spend, 9);
        (await _gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, notYetUsed)).AssertOk();
    }
}

/// <summary>Redis goes down under a running gateway: budgets fail closed (or per replica, when configured), rate limits go per replica, both come back by themselves.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _redis.InitializeAsync();

    private async Task StartAsync(string budgetsWhenDown) =>
        _gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = _redis.ConnectionString,
            ["Gateway:Governance:BudgetsWhenRedisDown"] = budgetsWhenDown,
        }));

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _redis.DisposeAsync();
        _data.Dispose();
    }

    private Task<ManagementCalls.Reply> ChatAsync(string key) => _gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, key);

    [Fact]
    public async Task Budgets_fail_closed_rate_limits_count_per_replica_and_both_recover_when_Redis_returns()
    {
        await StartAsync("Reject");
        var budgeted = await _gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 1 });
        var limited = await _gateway.GenerateKeyAsync(new JsonObject { ["rpm_limit"] = 2 });
        var plain = await _gateway.GenerateKeyAsync();
        (await ChatAsync(budgeted)).AssertOk();
        (await ChatAsync(limited)).AssertOk();
        // Spend buffered in Redis dies with it (it runs without persistence here): let it reach the store first.
        await UntilSpendAsync(limited, GovernanceConfig.CallCost);
        // A lease taken before the outage admits from memory until it ends (CounterLeasesTests covers that); this test
        // is about the calls after it, so the budget's lease from the first call has ended before Redis stops.
        await Task.Delay(2 * new CounterLeaseOptions().Lifetime + TimeSpan.FromMilliseconds(100), Cancellation);

        await _redis.StopAsync();
        var budgetedDuring = await ChatAsync(budgeted);
        var limitedDuring = new[] { await ChatAsync(limited), await ChatAsync(limited), await ChatAsync(limited) };
        var plainDuring = await ChatAsync(plain);
        await _redis.StartAsync();

        Assert.Equal("limits_unavailable", budgetedDuring.AssertError(HttpStatusCode.ServiceUnavailable)["code"]!.GetValue<string>());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], limitedDuring.Select(r => r.Status));
        plainDuring.AssertOk();
        Assert.Single(_gateway.Logs.Lines, line => line.Contains("Shared counters (Redis) unreachable", StringComparison.Ordinal));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await ChatAsync(budgeted)).Status != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "Budgets did not recover within 20 s of Redis returning.");
            await Task.Delay(200, Cancellation);
        }

        Assert.Contains(_gateway.Logs.Lines, line => line.Contains("Shared counters (Redis) reachable again", StringComparison.Ordinal));
        // Spend made while Redis was down waited in this replica's buffer and reached the store.
        await UntilSpendAsync(limited, 3 * GovernanceConfig.CallCost);
        await UntilSpendAsync(plain, GovernanceConfig.CallCost);
    }

    [Fact]
    public async Task Budgets_can_be_counted_per_replica_while_Redis_is_down()
    {
        await StartAsync("Local");
        var budgeted = await _gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 0.02 });

        await _redis.StopAsync();
        var replies = new[] { await ChatAsync(budgeted), await ChatAsync(budgeted), await ChatAsync(budgeted) };
        await _redis.StartAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], replies.Select(r => r.Status));
    }

    private async Task UntilSpendAsync(string key, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        double spend;
        do
        {
            await Task.Delay(200, Cancellation);
            spend = (await _gateway.GetAsync($"/key/info?key={key}")).AssertOk().Body!["info"]!["spend"]!.GetValue<double>();
        }
        while (Math.Abs(spend - expected) > 1e-9 && DateTime.UtcNow < deadline);

        Assert.Equal(expected, spend, 9);
    }
}
