using System.Net;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using Storage.Governance.Keys;

namespace Gateway.Tests.Governance;

/// <summary>
/// Settlement of governed calls on a gateway with a Redis of its own (so its command counts are the test's alone):
/// calls admitted from leases settle in them, tokens and spend go out on the backlog's cadence, and stopping sends
/// everything.
/// </summary>
public sealed class SettlementTests : IAsyncLifetime
{
    // Reserves $0.02 (max_tokens 20) and costs $0.01 (ten completion tokens, one prompt token).
    private const string TwentyTokens = """{"model":"chat","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""";
    private const long CallNanos = 10_000_000;
    private const int CallTokens = 11;

    private readonly RedisServer _redis = new();
    private readonly TemporaryDirectory _data = new();
    private readonly List<TestWebHost> _gateways = [];
    private ConnectionMultiplexer _client = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private IDatabase Redis => _client.GetDatabase();

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        _client = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _client.DisposeAsync();
        await _redis.DisposeAsync();
        _data.Dispose();
    }

    private async Task<TestWebHost> StartAsync(Dictionary<string, string?> settings)
    {
        settings["ConnectionStrings:redis"] = _redis.ConnectionString;
        var gateway = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings(settings));
        _gateways.Add(gateway);
        return gateway;
    }

    private async Task<long> ValueAsync(string key) => (long)await Redis.StringGetAsync($"counter:{key}");

    private async Task<long> WindowTotalAsync(string key) => (long)await Redis.StringGetAsync($"window:{{{key}}}:total");

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {within.TotalSeconds} s.");
            await Task.Delay(25, Cancellation);
        }
    }

    [Fact]
    public async Task Calls_settled_in_leases_send_nothing_to_Redis_and_stopping_leaves_the_counters_equal_to_the_spend()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Governance:Leases:Lifetime"] = "00:00:05",
            ["Gateway:Governance:SettlementFlushInterval"] = "01:00:00",
            // The spend flusher's own look at the buffer is a script too: only the one at stopping.
            ["Gateway:Governance:SpendFlushInterval"] = "01:00:00",
        };
        var gateway = await StartAsync(settings);
        var key = await gateway.GenerateKeyAsync(new JsonObject { ["max_budget"] = 100, ["rpm_limit"] = 100_000, ["tpm_limit"] = 10_000_000, ["max_parallel_requests"] = 100 });
        var holder = $"gov:key:{VirtualKeyHasher.Token(key)}";
        // The first call charges Redis and brings leases back; it settles into them.
        (await gateway.PostAsync("/v1/chat/completions", TwentyTokens, key)).AssertOk();
        await Task.Delay(200, Cancellation);
        var scripts = await RedisScriptCalls.CountAsync(_redis);

        // Four calls use half of the leases sized for eight: none is due for renewal yet.
        for (var i = 0; i < 4; i++)
        {
            (await gateway.PostAsync("/v1/chat/completions", TwentyTokens, key)).AssertOk();
        }

        await Task.Delay(300, Cancellation);
        Assert.Equal(scripts, await RedisScriptCalls.CountAsync(_redis));
        Assert.Equal(0, await WindowTotalAsync($"{holder}:tpm"));
        Assert.False(await Redis.KeyExistsAsync("deltas:{spend}:pending"), "Spend reached the buffer before the backlog's interval.");

        // Stopping sends the backlog, writes the spend to the store and gives the leases back.
        await gateway.DisposeAsync();
        _gateways.Remove(gateway);
        Assert.Equal(5 * CallNanos, await ValueAsync($"{holder}:budget:0"));
        Assert.Equal(0, await ValueAsync($"{holder}:parallel"));
        Assert.Equal(5, await WindowTotalAsync($"{holder}:rpm"));
        Assert.Equal(5 * CallTokens, await WindowTotalAsync($"{holder}:tpm"));
        var restarted = await StartAsync(settings);
        var spend = (await restarted.GetAsync($"/key/info?key={key}")).AssertOk().Body!["info"]!["spend"]!.GetValue<double>();
        Assert.Equal(5 * GovernanceConfig.CallCost, spend, 9);
    }

    [Fact]
    public async Task Tokens_and_spend_arrive_within_the_settlement_and_spend_flush_intervals()
    {
        var gateway = await StartAsync(new Dictionary<string, string?> { ["Gateway:Governance:SettlementFlushInterval"] = "00:00:00.300" });
        var key = await gateway.GenerateKeyAsync(new JsonObject { ["tpm_limit"] = 1_000_000 });
        var holder = $"gov:key:{VirtualKeyHasher.Token(key)}";

        for (var i = 0; i < 3; i++)
        {
            (await gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, key)).AssertOk();
        }

        // At most one settlement interval for the tokens; one more spend flush (200 ms) for the store; the rest is slack for a busy machine.
        await EventuallyAsync(async () => await WindowTotalAsync($"{holder}:tpm") == 3 * CallTokens, TimeSpan.FromSeconds(2));
        await EventuallyAsync(async () =>
            Math.Abs((await gateway.GetAsync($"/key/info?key={key}")).AssertOk().Body!["info"]!["spend"]!.GetValue<double>() - (3 * GovernanceConfig.CallCost)) < 1e-9,
            TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_soft_budget_is_not_reported_crossed_for_what_this_replica_holds_leased()
    {
        var gateway = await StartAsync([]);
        var key = await gateway.GenerateKeyAsync(new JsonObject { ["soft_budget"] = 0.035, ["key_alias"] = "soft-leased" });
        bool Alerted() => gateway.Logs.Lines.Any(l => l.Contains("'soft-leased' crossed its soft budget", StringComparison.Ordinal));

        // Redis counts the lease the first call brought (eight more calls' worth) as spent: $0.03 is not $0.09.
        for (var i = 0; i < 3; i++)
        {
            (await gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, key)).AssertOk();
        }

        await Task.Delay(500, Cancellation);
        Assert.False(Alerted(), "The soft budget was reported crossed at $0.03 of $0.035.");
        (await gateway.PostAsync("/v1/chat/completions", GovernanceConfig.ChatBody, key)).AssertOk();
        await EventuallyAsync(() => Task.FromResult(Alerted()), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Sequential_calls_with_max_parallel_1_are_never_refused()
    {
        var gateway = await StartAsync([]);
        var key = await gateway.GenerateKeyAsync(new JsonObject { ["max_parallel_requests"] = 1, ["max_budget"] = 100 });

        for (var i = 0; i < 40; i++)
        {
            var reply = await gateway.PostAsync("/v1/chat/completions", TwentyTokens, key);
            Assert.True(reply.Status == HttpStatusCode.OK, $"Call {i} was answered {reply.Status}: {reply.Text}");
        }
    }
}
