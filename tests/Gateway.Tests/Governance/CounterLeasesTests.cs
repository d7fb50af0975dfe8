using System.Diagnostics;
using Gateway.Governance;
using Gateway.Governance.Leases;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Storage;
using Storage.Counters;

namespace Gateway.Tests.Governance;

/// <summary>Replicas admitting calls from leases on one real Redis: what gets through is exactly what exact counters admit.</summary>
public sealed class CounterLeasesTests(RedisServer redis) : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _prefix = Guid.NewGuid().ToString("N");
    private readonly List<Replica> _replicas = [];
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    private string Key(string name) => $"{_prefix}:{name}";

    private async Task<long> WindowTotalAsync(string key) => (long)await _redis.GetDatabase().StringGetAsync($"window:{{{key}}}:total");

    private async Task<Replica> StartReplicaAsync(TimeSpan lifetime, string? connection = null, bool sweeping = true, TimeProvider? clock = null)
    {
        var replica = await Replica.StartAsync(connection ?? redis.ConnectionString, lifetime, sweeping, clock ?? TimeProvider.System);
        _replicas.Add(replica);
        return replica;
    }

    [Fact]
    public async Task Calls_within_a_lease_do_not_charge_Redis_and_its_unused_rest_goes_back_when_the_replica_stops()
    {
        var replica = await StartReplicaAsync(TimeSpan.FromSeconds(5));
        var key = Key("rpm");

        Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel)).Admitted);
        var leased = await WindowTotalAsync(key);
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel)).Admitted);
        }

        // The first call charged itself and a lease of eight; the next four came out of the lease (half of it: not yet due for renewal).
        Assert.True(leased > 5, $"No lease was granted (window total {leased}).");
        Assert.Equal(leased, await WindowTotalAsync(key));
        await replica.StopAsync();
        Assert.Equal(5, await WindowTotalAsync(key));
    }

    [Fact]
    public async Task Leases_end_after_their_lifetime_and_give_back_what_was_not_used()
    {
        var replica = await StartReplicaAsync(TimeSpan.FromMilliseconds(250));
        var budget = Key("budget");

        Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Value(budget, 1_000, 10_000_000, Minute)], Cancel)).Admitted);
        Assert.True(await replica.Counters.GetAsync(budget, Cancel) > 1_000);

        var deadline = Stopwatch.StartNew();
        while (await replica.Counters.GetAsync(budget, Cancel) != 1_000)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(2), "The lease was not given back within 2 s of a 250 ms lifetime.");
            await Task.Delay(20, Cancel);
        }
    }

    [Fact]
    public async Task Two_replicas_with_leases_admit_exactly_a_windows_limit()
    {
        var replicas = new[] { await StartReplicaAsync(TimeSpan.FromMilliseconds(250)), await StartReplicaAsync(TimeSpan.FromMilliseconds(250)) };
        foreach (var (limit, calls) in new[] { (60, 150), (1_000, 1_500) })
        {
            var key = Key($"shared-rpm-{limit}");

            var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(i =>
                replicas[i % 2].Leases.TryChargeAsync([CounterCharge.Window(key, 1, limit, Minute)], Cancel).AsTask()));

            Assert.Equal(limit, results.Count(r => r.Admitted));
            Assert.All(results.Where(r => !r.Admitted), r => Assert.Equal(limit, r.Total));
        }
    }

    [Fact]
    public async Task A_budget_with_leases_admits_exactly_what_it_can_pay_for()
    {
        var replicas = new[] { await StartReplicaAsync(TimeSpan.FromMilliseconds(250)), await StartReplicaAsync(TimeSpan.FromMilliseconds(250)) };
        var budget = Key("shared-budget");

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            replicas[i % 2].Leases.TryChargeAsync([CounterCharge.Value(budget, 10_000, 1_000_000, Minute)], Cancel).AsTask()));

        Assert.Equal(100, results.Count(r => r.Admitted));
        foreach (var replica in replicas)
        {
            await replica.StopAsync();
        }

        Assert.Equal(1_000_000, await replicas[0].Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task Settled_calls_never_take_a_leased_budget_past_its_limit_by_more_than_one_reservation()
    {
        var replicas = new[] { await StartReplicaAsync(TimeSpan.FromMilliseconds(250)), await StartReplicaAsync(TimeSpan.FromMilliseconds(250)) };
        var budget = Key("settled-budget");
        const long Limit = 1_000_000, Estimate = 20_000, Actual = 5_000;
        long spent = 0;

        // Each admitted call reserves its estimate and settles to its actual cost, as CallSettlement does.
        ChargeResult refused;
        for (var i = 0; (refused = await replicas[i % 2].Leases.TryChargeAsync([CounterCharge.Value(budget, Estimate, Limit, Minute)], Cancel)).Admitted; i++)
        {
            spent += Actual;
            await replicas[i % 2].Counters.AdjustAllAsync([CounterCharge.Value(budget, Actual - Estimate, 0, Minute)], Cancel);
            Assert.InRange(spent, 0, Limit);
        }

        // Refused only once less than one estimate is left.
        Assert.True(spent > Limit - Estimate, $"Refused at {spent} spent; the counter stood at {refused.Total}.");
        foreach (var replica in replicas)
        {
            await replica.StopAsync();
        }

        Assert.Equal(spent, await replicas[0].Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task Calls_settled_into_leases_send_nothing_to_Redis_and_the_counters_end_at_what_was_spent()
    {
        // A Redis of its own: its command counts are this test's alone.
        await using var ownRedis = new RedisServer();
        await ownRedis.InitializeAsync();
        var replica = await StartReplicaAsync(TimeSpan.FromSeconds(5), ownRedis.ConnectionString);
        var parallel = Key("settled-parallel");
        var budget = Key("settled-into-budget");
        const long Estimate = 20_000;
        CounterCharge[] Call() => [CounterCharge.Value(parallel, 1, 1_000, Minute), CounterCharge.Value(budget, Estimate, 100_000_000, Minute)];
        Assert.True((await replica.Leases.TryChargeAsync(Call(), Cancel)).Admitted);
        var commands = await RedisScriptCalls.CountAsync(ownRedis);

        // The slot comes back and the unspent part of the reservation (or an overrun, taken) settles in the leases; a
        // dozen calls leave the budget's lease (sized for eight estimates) less than half used, so it is not renewed.
        long spent = 0;
        for (var i = 0; i < 12; i++)
        {
            var actual = i == 10 ? Estimate + 3_000 : 5_000;
            spent += actual;
            Assert.True(replica.Leases.TrySettle(parallel, -1));
            Assert.True(replica.Leases.TrySettle(budget, actual - Estimate));
            Assert.True((await replica.Leases.TryChargeAsync(Call(), Cancel)).Admitted);
        }

        Assert.Equal(commands, await RedisScriptCalls.CountAsync(ownRedis));
        await replica.StopAsync();
        // One call is still in flight with its reservation: what the counters hold once the leases are back.
        Assert.Equal(1, await replica.Counters.GetAsync(parallel, Cancel));
        Assert.Equal(spent + Estimate, await replica.Counters.GetAsync(budget, Cancel));
    }

    [Fact]
    public async Task A_lease_in_use_is_renewed_before_it_ends_or_runs_out_so_no_call_after_the_first_charges_Redis()
    {
        var clock = new ManualClock();
        var lifetime = TimeSpan.FromMilliseconds(250);
        var replica = await StartReplicaAsync(lifetime, clock: clock);
        var key = Key("renewed-rpm");
        var calls = 0;
        async Task CallAsync()
        {
            Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 100_000, Minute)], Cancel)).Admitted);
            calls++;
        }

        await CallAsync();
        await CallAsync();
        await CallAsync();
        Assert.Equal((1, 0), (replica.Store.Charges, replica.Store.Renewals));

        // Three fifths of the lifetime on, a call finds the lease due: the next one is asked for while this one serves.
        clock.Advance(TimeSpan.FromMilliseconds(160));
        await CallAsync();
        await UntilAsync(() => replica.Leases.HeldUnused(key) == 8, "the lease renewed at its renewal time");

        // Past the first lease's end, calls take from the renewed one; once more than half of it is used, it is renewed
        // again, for twice as many calls.
        clock.Advance(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 5; i++)
        {
            await CallAsync();
        }

        await UntilAsync(() => replica.Leases.HeldUnused(key) == 16, "the lease renewed once half used");
        for (var i = 0; i < 8; i++)
        {
            await CallAsync();
        }

        Assert.Equal(1, replica.Store.Charges);
        Assert.Equal([8, 8, 16], replica.Store.Asked);
        await replica.StopAsync();
        Assert.Equal(calls, await WindowTotalAsync(key));
    }

    [Fact]
    public async Task A_burst_that_finds_no_lease_waits_for_the_one_being_asked_for_instead_of_charging_Redis_call_by_call()
    {
        var replica = await StartReplicaAsync(TimeSpan.FromSeconds(5));
        var key = Key("burst-rpm");
        var hold = replica.Store.HoldCharges = new TaskCompletionSource();
        Task<ChargeResult> Call() => replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 100_000, Minute)], Cancel).AsTask();

        // The first call asks for a lease (of eight calls) and its round trip is held open while nineteen more arrive.
        var calls = Enumerable.Range(0, 20).Select(_ => Call()).ToList();
        Assert.Equal(1, replica.Store.Charges);
        replica.Store.HoldCharges = null;
        hold.SetResult();
        var results = await Task.WhenAll(calls);

        // Eight of the nineteen took from that lease; the others were charged directly, one asking for the next lease
        // (those that came back to it after that lease was installed took from it).
        Assert.All(results, r => Assert.True(r.Admitted));
        Assert.InRange(replica.Store.Charges, 2, 12);
        Assert.Equal([8, 16], replica.Store.Asked);
        await replica.StopAsync();
        Assert.Equal(20, await WindowTotalAsync(key));
    }

    [Fact]
    public async Task A_call_aborted_while_it_waits_for_a_lease_puts_back_what_it_took_from_the_others()
    {
        var replica = await StartReplicaAsync(TimeSpan.FromSeconds(5));
        var leased = Key("aborted-leased-rpm");
        var asked = Key("aborted-asked-rpm");
        Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(leased, 1, 100_000, Minute)], Cancel)).Admitted);
        var hold = replica.Store.HoldCharges = new TaskCompletionSource();
        var asking = replica.Leases.TryChargeAsync([CounterCharge.Window(asked, 1, 100_000, Minute)], Cancel).AsTask();

        // This call takes from the first counter's lease, then waits for the lease being asked for on the second, and is aborted.
        using var abort = new CancellationTokenSource();
        var aborted = replica.Leases.TryChargeAsync([CounterCharge.Window(leased, 1, 100_000, Minute), CounterCharge.Window(asked, 1, 100_000, Minute)], abort.Token).AsTask();
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aborted);
        replica.Store.HoldCharges = null;
        hold.SetResult();
        Assert.True((await asking).Admitted);

        await replica.StopAsync();
        Assert.Equal(1, await WindowTotalAsync(leased));
        Assert.Equal(1, await WindowTotalAsync(asked));
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"Not seen within 10 s: {what}.");
            await Task.Delay(10, Cancel);
        }
    }

    [Fact]
    public async Task A_settlement_finds_no_lease_past_its_end_or_on_a_window_and_an_overrun_beyond_the_lease_is_refused()
    {
        // Two seconds of lease: the settlements below must land within it even when a loaded machine (CI runs test
        // assemblies side by side) delays them; 300 ms was once too short there.
        var lifetime = TimeSpan.FromSeconds(2);
        var replica = await StartReplicaAsync(lifetime);
        var budget = Key("overrun-budget");
        var rpm = Key("settle-rpm");
        Assert.False(replica.Leases.TrySettle(budget, -1), "Settled with no lease.");
        Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Value(budget, 1_000, 10_000_000, Minute), CounterCharge.Window(rpm, 1, 10_000, Minute)], Cancel)).Admitted);

        Assert.False(replica.Leases.TrySettle(rpm, -1), "A window's units never go back early.");
        Assert.False(replica.Leases.TrySettle(budget, 1_000_000), "The overrun was larger than the lease.");
        Assert.True(replica.Leases.TrySettle(budget, -500));
        await Task.Delay(lifetime + TimeSpan.FromMilliseconds(200), Cancel);
        Assert.False(replica.Leases.TrySettle(budget, -500), "Settled into a lease past its end.");
    }

    [Fact]
    public async Task A_dead_replicas_lease_stays_counted_and_holds_refusals_back_at_most_a_second_past_its_end()
    {
        var dead = await StartReplicaAsync(TimeSpan.FromMilliseconds(250), sweeping: false);
        var alive = await StartReplicaAsync(TimeSpan.FromMilliseconds(250));
        var key = Key("dead-rpm");
        Assert.True((await dead.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 100, Minute)], Cancel)).Admitted);
        var leased = await WindowTotalAsync(key);
        Assert.True(leased > 1, "No lease was granted.");

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ =>
            alive.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 100, Minute)], Cancel).AsTask()));

        Assert.Equal(100 - leased, results.Count(r => r.Admitted));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"Refusals took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Redis_down_mid_lease_admits_from_the_lease_until_its_end_then_fails_as_the_counters_do_and_recovers()
    {
        await using var ownRedis = new RedisServer();
        await ownRedis.InitializeAsync();
        var lifetime = TimeSpan.FromSeconds(3);
        var replica = await StartReplicaAsync(lifetime, ownRedis.ConnectionString);
        var key = Key("outage-rpm");
        var leasedAt = Stopwatch.StartNew();
        Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel)).Admitted);

        await ownRedis.StopAsync();
        if (leasedAt.Elapsed < lifetime - TimeSpan.FromMilliseconds(500))
        {
            // Capacity already charged in Redis is used while the lease lasts.
            Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel)).Admitted);
        }

        await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
            await replica.Leases.TryChargeAsync([CounterCharge.Window(Key("unleased"), 1, 10_000, Minute)], Cancel));
        await Task.Delay(lifetime - leasedAt.Elapsed + TimeSpan.FromMilliseconds(100) is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, Cancel);
        await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
            await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel));

        await ownRedis.StartAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.True((await replica.Leases.TryChargeAsync([CounterCharge.Window(key, 1, 10_000, Minute)], Cancel)).Admitted);
                break;
            }
            catch (StorageUnavailableException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200, Cancel);
            }
        }
    }

    /// <summary>One replica's counters and leases: its own host (and Redis connection), nothing shared with another.</summary>
    private sealed class Replica(IHost host, CounterLeases leases, CountingLeasedCounters store, bool sweeping) : IAsyncDisposable
    {
        private bool _stopped;

        public CounterLeases Leases => leases;

        /// <summary>What the leases asked of Redis.</summary>
        public CountingLeasedCounters Store => store;

        public ISharedCounters Counters => host.Services.GetRequiredService<ISharedCounters>();

        public static async Task<Replica> StartAsync(string connection, TimeSpan lifetime, bool sweeping, TimeProvider clock)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration["ConnectionStrings:redis"] = connection;
            builder.AddSharedCounters();
            var host = builder.Build();
            await host.StartAsync(Cancel);
            var options = Options.Create(new GovernanceOptions { Leases = new CounterLeaseOptions { Lifetime = lifetime } });
            var store = new CountingLeasedCounters(host.Services.GetRequiredService<ILeasedCounters>());
            var leases = new CounterLeases(options, host.Services.GetRequiredService<ISharedCounters>(), clock, NullLogger<CounterLeases>.Instance, store);
            if (sweeping)
            {
                await leases.StartAsync(Cancel);
            }

            return new Replica(host, leases, store, sweeping);
        }

        /// <summary>Stops as the gateway does: the leases are given back.</summary>
        public async Task StopAsync()
        {
            if (!_stopped && sweeping)
            {
                _stopped = true;
                await leases.StopAsync(Cancel);
            }
        }

        public async ValueTask DisposeAsync()
        {
            // A replica that was never swept plays a dead one: its leases are not given back.
            await StopAsync();
            leases.Dispose();
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}
