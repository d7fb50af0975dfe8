using StackExchange.Redis;
using Storage.Counters;

namespace Storage.Tests.Counters;

/// <summary>Leases charged and given back by the Redis scripts, read back from Redis itself.</summary>
public sealed class RedisCounterLeaseTests(RedisServer redis) : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(250);
    private readonly string _prefix = Guid.NewGuid().ToString("N");
    private SeamHost _host = null!;
    private ConnectionMultiplexer _redis = null!;

    private ILeasedCounters Leased => _host.Get<ILeasedCounters>();

    private ISharedCounters Counters => _host.Get<ISharedCounters>();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await SeamHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString }, b => b.AddSharedCounters());
        _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string Key(string name) => $"{_prefix}:{name}";

    private async Task<long> WindowTotalAsync(string key) => (long)await _redis.GetDatabase().StringGetAsync($"window:{{{key}}}:total");

    private static LeaseAsk Ask(long extra) => new(extra, Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_window_lease_is_charged_as_one_entry_and_its_unused_rest_goes_back()
    {
        var key = Key("rpm");
        var ask = Ask(10);

        var charged = await Leased.TryChargeAllAsync([CounterCharge.Window(key, 1, 1_000, Minute)], [ask], Lifetime, Cancel);

        Assert.True(charged.Result.Admitted);
        Assert.Equal(10, charged.Granted[0]);
        Assert.Equal(11, await WindowTotalAsync(key));
        var member = $"{charged.Entries[0]}:10";
        var score = await _redis.GetDatabase().SortedSetScoreAsync($"window:{{{key}}}:log", member);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Dated at the lease's end: the units used from it never leave the window before a minute from their use.
        Assert.InRange(score!.Value, now + 100, now + 400);

        await Leased.ReturnAllAsync([new LeaseReturn(CounterKind.Window, key, ask.LeaseId, charged.Entries[0], 10, Unused: 4)], Cancel);

        Assert.Equal(7, await WindowTotalAsync(key));
        Assert.Null(await _redis.GetDatabase().SortedSetScoreAsync($"window:{{{key}}}:log", member));
        Assert.Equal(score, await _redis.GetDatabase().SortedSetScoreAsync($"window:{{{key}}}:log", $"{charged.Entries[0]}:6"));
        // The rest of the limit is exactly what an exact counter would still admit.
        var rest = await Task.WhenAll(Enumerable.Range(0, 1_100).Select(_ => Counters.TryChargeAllAsync([CounterCharge.Window(key, 1, 1_000, Minute)], Cancel).AsTask()));
        Assert.Equal(993, rest.Count(r => r.Admitted));
    }

    [Fact]
    public async Task Near_a_limit_no_lease_is_granted()
    {
        // A sixteenth of what remains after the call is less than one more call's amount.
        var window = Key("near-rpm");
        var budget = Key("near-budget");

        var charged = await Leased.TryChargeAllAsync(
            [CounterCharge.Window(window, 1, 16, Minute), CounterCharge.Value(budget, 1_000, 16_000, Minute)], [Ask(8), Ask(8_000)], Lifetime, Cancel);

        Assert.True(charged.Result.Admitted);
        Assert.Equal([0, 0], charged.Granted);
        Assert.Equal(1, await WindowTotalAsync(window));
        Assert.Equal(1_000, await Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task A_value_lease_is_granted_from_plenty_of_room_and_given_back()
    {
        var budget = Key("budget");
        var ask = Ask(50_000);

        var charged = await Leased.TryChargeAllAsync([CounterCharge.Value(budget, 1_000, 10_000_000, Minute, seed: 2_000)], [ask], Lifetime, Cancel);

        Assert.Equal(50_000, charged.Granted[0]);
        Assert.Equal(53_000, await Counters.GetAsync(budget, Cancel));
        await Leased.ReturnAllAsync([new LeaseReturn(CounterKind.Value, budget, ask.LeaseId, 0, 50_000, Unused: 47_000)], Cancel);
        Assert.Equal(6_000, await Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task A_renewal_leases_each_counter_without_charging_a_call_and_only_while_plenty_of_room_remains()
    {
        var window = Key("renew-rpm");
        var budget = Key("renew-budget");
        var full = Key("renew-full-budget");
        await Counters.TryChargeAllAsync([CounterCharge.Value(full, 15_000, 16_000, Minute)], Cancel);
        var asks = new[] { Ask(10), Ask(8_000), Ask(8_000) };

        var grants = await Leased.LeaseAllAsync(
            [CounterCharge.Window(window, 1, 1_000, Minute), CounterCharge.Value(budget, 1_000, 10_000_000, Minute, seed: 2_000), CounterCharge.Value(full, 1_000, 16_000, Minute)],
            asks, Lifetime, Cancel);

        // The full budget is refused its lease alone; the others are leased what they asked for, and no call is charged.
        Assert.Equal([10, 8_000, 0], grants.Granted);
        Assert.Equal(10, await WindowTotalAsync(window));
        Assert.Equal(10_000, await Counters.GetAsync(budget, Cancel));
        Assert.Equal(15_000, await Counters.GetAsync(full, Cancel));
        var score = await _redis.GetDatabase().SortedSetScoreAsync($"window:{{{window}}}:log", $"{grants.Entries[0]}:10");
        Assert.InRange(score!.Value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 400);

        await Leased.ReturnAllAsync(
            [new LeaseReturn(CounterKind.Window, window, asks[0].LeaseId, grants.Entries[0], 10, Unused: 7), new LeaseReturn(CounterKind.Value, budget, asks[1].LeaseId, 0, 8_000, Unused: 8_000)],
            Cancel);
        Assert.Equal(3, await WindowTotalAsync(window));
        Assert.Equal(2_000, await Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task A_check_only_lease_is_a_time_lease_that_adds_nothing_to_the_counter()
    {
        var tpm = Key("check-tpm");
        var free = Key("check-budget");
        await Counters.TryChargeAllAsync([CounterCharge.Window(tpm, 700, 1_000, Minute)], Cancel);

        var charged = await Leased.TryChargeAllAsync([CounterCharge.Window(tpm, 0, 1_000, Minute), CounterCharge.Value(free, 0, 1_000, Minute)], [Ask(1), Ask(1)], Lifetime, Cancel);
        var renewed = await Leased.LeaseAllAsync([CounterCharge.Window(tpm, 0, 1_000, Minute)], [Ask(1)], Lifetime, Cancel);

        Assert.Equal([1, 1], charged.Granted);
        Assert.Equal([1], renewed.Granted);
        Assert.Equal(700, await WindowTotalAsync(tpm));
        Assert.Equal(0, await Counters.GetAsync(free, Cancel));

        // More than three quarters full: no time lease, so every call looks at the window itself.
        await Counters.TryChargeAllAsync([CounterCharge.Window(tpm, 100, 1_000, Minute)], Cancel);
        var full = await Leased.LeaseAllAsync([CounterCharge.Window(tpm, 0, 1_000, Minute)], [Ask(1)], Lifetime, Cancel);
        Assert.Equal([0], full.Granted);
    }

    [Fact]
    public async Task A_refused_counter_says_how_long_it_is_leased_until_the_lease_is_given_back()
    {
        var key = Key("leased-rpm");
        var ask = Ask(6);
        var leased = await Leased.TryChargeAllAsync([CounterCharge.Window(key, 1, 100, Minute)], [ask], Lifetime, Cancel);
        Assert.Equal(6, leased.Granted[0]);
        for (var i = 0; i < 93; i++)
        {
            Assert.True((await Counters.TryChargeAllAsync([CounterCharge.Window(key, 1, 100, Minute)], Cancel)).Admitted);
        }

        var refused = await Leased.TryChargeAllAsync([CounterCharge.Window(key, 1, 100, Minute)], [default], Lifetime, Cancel);
        Assert.False(refused.Result.Admitted);
        Assert.InRange(refused.OthersLeasedFor!.Value, TimeSpan.Zero, Lifetime);

        await Leased.ReturnAllAsync([new LeaseReturn(CounterKind.Window, key, ask.LeaseId, leased.Entries[0], 6, Unused: 6)], Cancel);
        var afterReturn = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Leased.TryChargeAllAsync(
            [CounterCharge.Window(key, 1, 100, Minute)], [default], Lifetime, Cancel).AsTask()));
        Assert.Equal(6, afterReturn.Count(r => r.Result.Admitted));
        Assert.All(afterReturn.Where(r => !r.Result.Admitted), r => Assert.Null(r.OthersLeasedFor));
    }

    [Fact]
    public async Task A_dead_replicas_lease_stays_counted_but_stops_being_reported_a_second_after_it_expires()
    {
        var key = Key("dead-budget");
        var leased = await Leased.TryChargeAllAsync([CounterCharge.Value(key, 10, 1_000, Minute)], [Ask(50)], Lifetime, Cancel);
        Assert.Equal(50, leased.Granted[0]);
        var refused = await Leased.TryChargeAllAsync([CounterCharge.Value(key, 950, 1_000, Minute)], [default], Lifetime, Cancel);
        Assert.NotNull(refused.OthersLeasedFor);

        await Task.Delay(Lifetime + TimeSpan.FromSeconds(1.2), Cancel);

        var later = await Leased.TryChargeAllAsync([CounterCharge.Value(key, 950, 1_000, Minute)], [default], Lifetime, Cancel);
        Assert.False(later.Result.Admitted);
        Assert.Equal(60, later.Result.Total);
        Assert.Null(later.OthersLeasedFor);
    }
}
