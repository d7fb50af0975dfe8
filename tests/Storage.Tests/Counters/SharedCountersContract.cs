using Storage.Counters;

namespace Storage.Tests.Counters;

/// <summary>The contract of <see cref="ISharedCounters"/>, run once per implementation.</summary>
public abstract class SharedCountersContract : IAsyncLifetime
{
    private SeamHost? _host;

    protected ISharedCounters Counters { get; private set; } = null!;

    /// <summary>A key prefix no other test uses (the Redis server is shared by the whole test assembly).</summary>
    protected string Key(string name) => $"{_prefix}:{name}";

    private readonly string _prefix = Guid.NewGuid().ToString("N");

    protected abstract IDictionary<string, string?> BackendSettings();

    public async ValueTask InitializeAsync()
    {
        _host = await SeamHost.StartAsync(BackendSettings(), b => b.AddSharedCounters());
        Counters = _host.Get<ISharedCounters>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_burst_against_a_window_admits_exactly_the_limit()
    {
        var key = Key("rpm");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Counters.TryAddToWindowAsync(key, 1, 60, TimeSpan.FromMinutes(1), Cancel).AsTask()));

        Assert.Equal(60, results.Count(r => r.Admitted));
        var refused = results.Where(r => !r.Admitted).ToList();
        Assert.All(refused, r => Assert.Equal(60, r.Total));
        Assert.All(refused, r => Assert.InRange(r.RetryAfter, TimeSpan.FromSeconds(55), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task The_window_slides_entries_out_after_its_length()
    {
        var key = Key("slide");
        var window = TimeSpan.FromMilliseconds(600);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Counters.TryAddToWindowAsync(key, 1, 3, window, Cancel)).Admitted);
        }

        var refused = await Counters.TryAddToWindowAsync(key, 1, 3, window, Cancel);
        await Task.Delay(refused.RetryAfter + TimeSpan.FromMilliseconds(100), Cancel);
        var admittedLater = await Counters.TryAddToWindowAsync(key, 1, 3, window, Cancel);

        Assert.False(refused.Admitted);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(1), window);
        Assert.True(admittedLater.Admitted);
    }

    [Fact]
    public async Task Weighted_amounts_count_against_the_window_by_size()
    {
        var key = Key("tpm");
        var window = TimeSpan.FromMinutes(1);

        var first = await Counters.TryAddToWindowAsync(key, 600, 1000, window, Cancel);
        var tooBig = await Counters.TryAddToWindowAsync(key, 500, 1000, window, Cancel);
        var fits = await Counters.TryAddToWindowAsync(key, 400, 1000, window, Cancel);
        var neverFits = await Counters.TryAddToWindowAsync(Key("other"), 2000, 1000, window, Cancel);

        Assert.True(first.Admitted);
        Assert.False(tooBig.Admitted);
        Assert.Equal(600, tooBig.Total);
        Assert.True(fits.Admitted);
        Assert.Equal(1000, fits.Total);
        Assert.False(neverFits.Admitted);
        Assert.Equal(window, neverFits.RetryAfter);
    }

    [Fact]
    public async Task Concurrent_reservations_never_exceed_the_limit_and_releases_make_room()
    {
        var key = Key("budget");
        var ttl = TimeSpan.FromMinutes(5);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            Counters.TryReserveAsync(key, 1_000, 10_000, ttl, Cancel).AsTask()));
        var afterBurst = await Counters.GetAsync(key, Cancel);
        await Counters.AddAsync(key, -1_000, ttl, Cancel);
        var afterRelease = await Counters.TryReserveAsync(key, 1_000, 10_000, ttl, Cancel);

        Assert.Equal(10, results.Count(r => r.Granted));
        Assert.Equal(10_000, afterBurst);
        Assert.True(afterRelease.Granted);
    }

    [Fact]
    public async Task Concurrent_increments_are_exact()
    {
        var key = Key("inflight");

        await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => Counters.AddAsync(key, 1, TimeSpan.FromMinutes(1), Cancel).AsTask()));
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Counters.AddAsync(key, -1, TimeSpan.FromMinutes(1), Cancel).AsTask()));

        Assert.Equal(300, await Counters.GetAsync(key, Cancel));
    }

    [Fact]
    public async Task Values_and_flags_expire_after_their_ttl()
    {
        var value = Key("ttl-value");
        var flag = Key("cooldown");
        await Counters.AddAsync(value, 5, TimeSpan.FromMilliseconds(300), Cancel);
        await Counters.SetFlagAsync(flag, TimeSpan.FromMilliseconds(300), Cancel);

        var raised = await Counters.GetFlagAsync(flag, Cancel);
        var valueBefore = await Counters.GetAsync(value, Cancel);
        await Task.Delay(450, Cancel);

        Assert.NotNull(raised);
        Assert.InRange(raised.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(300));
        Assert.Equal(5, valueBefore);
        Assert.Null(await Counters.GetFlagAsync(flag, Cancel));
        Assert.Equal(0, await Counters.GetAsync(value, Cancel));
        Assert.Null(await Counters.GetFlagAsync(Key("never-set"), Cancel));
    }

    [Fact]
    public async Task A_batch_is_charged_whole_or_not_at_all()
    {
        var window = Key("batch-rpm");
        var budget = Key("batch-budget");
        var ttl = TimeSpan.FromMinutes(5);

        var refused = await Counters.TryChargeAllAsync(
            [CounterCharge.Window(window, 1, 10, TimeSpan.FromMinutes(1)), CounterCharge.Value(budget, 600, 1_000, ttl, seed: 500)], Cancel);
        var fits = await Counters.TryChargeAllAsync(
            [CounterCharge.Window(window, 1, 10, TimeSpan.FromMinutes(1)), CounterCharge.Value(budget, 400, 1_000, ttl, seed: 500)], Cancel);
        var windowFull = await Counters.TryChargeAllAsync(
            [CounterCharge.Value(budget, 0, 1_000, ttl), CounterCharge.Window(window, 10, 10, TimeSpan.FromMinutes(1))], Cancel);

        Assert.Equal(1, refused.Refused);
        Assert.Equal(500, refused.Total);
        Assert.True(fits.Admitted);
        Assert.Equal(900, await Counters.GetAsync(budget, Cancel));
        Assert.Equal(1, windowFull.Refused);
        Assert.Equal(1, windowFull.Total);
        Assert.InRange(windowFull.RetryAfter, TimeSpan.FromSeconds(55), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Concurrent_batches_never_take_more_than_the_limits_allow()
    {
        var budget = Key("burst-budget");
        var inFlight = Key("burst-parallel");
        var ttl = TimeSpan.FromMinutes(5);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Counters.TryChargeAllAsync(
            [CounterCharge.Value(inFlight, 1, 50, ttl), CounterCharge.Value(budget, 1_000, 10_000, ttl)], Cancel).AsTask()));

        Assert.Equal(10, results.Count(r => r.Admitted));
        Assert.Equal(10_000, await Counters.GetAsync(budget, Cancel));
        Assert.Equal(10, await Counters.GetAsync(inFlight, Cancel));
    }

    [Fact]
    public async Task A_check_only_window_charge_holds_calls_once_the_total_reaches_the_limit()
    {
        var tokens = Key("tpm-check");
        var window = TimeSpan.FromMinutes(1);

        var underLimit = await Counters.TryChargeAllAsync([CounterCharge.Window(tokens, 0, 99, window)], Cancel);
        await Counters.AdjustAllAsync([CounterCharge.Window(tokens, 100, long.MaxValue, window)], Cancel);
        var atLimit = await Counters.TryChargeAllAsync([CounterCharge.Window(tokens, 0, 99, window)], Cancel);

        Assert.True(underLimit.Admitted);
        Assert.False(atLimit.Admitted);
        Assert.Equal(100, atLimit.Total);
    }

    [Fact]
    public async Task Adjustments_settle_existing_values_and_leave_expired_ones_to_be_seeded_again()
    {
        var settled = Key("settle");
        var gone = Key("settle-gone");
        var ttl = TimeSpan.FromMinutes(5);
        await Counters.TryChargeAllAsync([CounterCharge.Value(settled, 1_000, 10_000, ttl, seed: 2_000)], Cancel);

        await Counters.AdjustAllAsync([CounterCharge.Value(settled, -400, 0, ttl), CounterCharge.Value(gone, -400, 0, ttl)], Cancel);

        Assert.Equal(2_600, await Counters.GetAsync(settled, Cancel));
        Assert.Equal(0, await Counters.GetAsync(gone, Cancel));
        var seededAgain = await Counters.TryChargeAllAsync([CounterCharge.Value(gone, 100, 10_000, ttl, seed: 7_000)], Cancel);
        Assert.True(seededAgain.Admitted);
        Assert.Equal(7_100, await Counters.GetAsync(gone, Cancel));
    }
}

public sealed class InProcessSharedCountersTests : SharedCountersContract
{
    protected override IDictionary<string, string?> BackendSettings() => new Dictionary<string, string?>();
}

public sealed class RedisSharedCountersTests(RedisServer redis) : SharedCountersContract
{
    protected override IDictionary<string, string?> BackendSettings() =>
        new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };

    [Fact]
    public async Task Two_replicas_share_one_exact_window()
    {
        await using var other = await SeamHost.StartAsync(BackendSettings(), b => b.AddSharedCounters());
        var replicas = new[] { Counters, other.Get<ISharedCounters>() };
        var key = Key("shared-rpm");

        var results = await Task.WhenAll(Enumerable.Range(0, 150).Select(i =>
            replicas[i % 2].TryAddToWindowAsync(key, 1, 60, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken).AsTask()));

        Assert.Equal(60, results.Count(r => r.Admitted));
    }

    [Fact]
    public async Task Two_replicas_share_one_exact_batch_of_limits()
    {
        await using var other = await SeamHost.StartAsync(BackendSettings(), b => b.AddSharedCounters());
        var replicas = new[] { Counters, other.Get<ISharedCounters>() };
        var window = Key("shared-batch-rpm");
        var budget = Key("shared-batch-budget");

        var results = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => replicas[i % 2].TryChargeAllAsync(
            [CounterCharge.Window(window, 1, 60, TimeSpan.FromMinutes(1)), CounterCharge.Value(budget, 10, 1_000, TimeSpan.FromMinutes(1))],
            TestContext.Current.CancellationToken).AsTask()));

        Assert.Equal(60, results.Count(r => r.Admitted));
        Assert.Equal(600, await other.Get<ISharedCounters>().GetAsync(budget, TestContext.Current.CancellationToken));
    }
}
