using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Counters;

namespace Gateway.Governance.Leases;

/// <summary>
/// Admits calls from headroom this replica already holds in Redis: a call whose every charge fits a live lease is
/// charged in memory, with no round trip; any other goes to Redis (one atomic script, as without leases) for the
/// charges that did not fit, asking for leases on them, which Redis grants only while plenty of room remains — so
/// near a limit every call is charged directly. Leases end after <see cref="CounterLeaseOptions.Lifetime"/> and their
/// unused rest goes back. A call refused while leases are out on the refused counter gives back this replica's own and
/// waits (at most a second from its first refusal) for the others' before its answer, so the limits admit exactly what exact counters would.
/// A lease in use is renewed in the background before it runs out or ends, so that under steady load calls keep
/// finding one and none waits on Redis.
/// </summary>
internal sealed partial class CounterLeases(
    IOptions<GovernanceOptions> options,
    ISharedCounters shared,
    TimeProvider clock,
    ILogger<CounterLeases> logger,
    ILeasedCounters? store = null) : BackgroundService
{
    private const int FirstCalls = 8;
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    private readonly ConcurrentDictionary<string, CounterLease> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _asking = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<LeaseReturn> _replaced = new();
    private readonly string _replica = Guid.NewGuid().ToString("N");
    private long _lastLease;
    private int _renewalsUnderWay;
    private int _stopping;
    private readonly TaskCompletionSource _renewalsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Leases are on (the default) and the counters are Redis.</summary>
    public bool Active => store is not null && options.Value.Leases.Enabled;

    /// <summary>As <see cref="ISharedCounters.TryChargeAllAsync"/>, from leases where they have room.</summary>
    public async ValueTask<ChargeResult> TryChargeAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        long? firstRefused = null;
        while (true)
        {
            var (result, leasedFor) = await TryChargeOnceAsync(charges, cancellationToken);
            firstRefused ??= clock.GetTimestamp();
            var left = LongestWait - clock.GetElapsedTime(firstRefused.Value);
            if (result.Admitted || leasedFor is not { } wait || left <= TimeSpan.Zero)
            {
                return result;
            }

            if (!await ReturnNowAsync(charges[result.Refused].Key, cancellationToken))
            {
                await Task.Delay(Min(wait > Poll ? wait : Poll, left), clock, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Settles an adjustment of a value counter (<see cref="CounterLease.TrySettle"/>) into this replica's live lease on it,
    /// however the call was charged: the units stay counted in Redis until the lease goes back, as its unused rest does.
    /// False when there is no such lease or it cannot take the adjustment; the caller then adjusts Redis.
    /// </summary>
    public bool TrySettle(string key, long amount) =>
        Active && _leases.TryGetValue(key, out var lease) && lease.TrySettle(amount, clock.GetTimestamp());

    /// <summary>What this replica's lease on the counter holds charged in Redis and unused (0 without one).</summary>
    public long HeldUnused(string key) => _leases.TryGetValue(key, out var lease) ? lease.Unused : 0;

    private async ValueTask<(ChargeResult Result, TimeSpan? LeasedFor)> TryChargeOnceAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        var settings = options.Value.Leases;
        var taken = new CounterLease?[charges.Count];
        List<int>? direct = null;
        List<(CounterCharge Unit, int Calls)>? due = null;
        for (var i = 0; i < charges.Count; i++)
        {
            if (TryTake(charges[i], now, settings.MaxCalls, out var lease, out var renewFor))
            {
                taken[i] = lease;
                if (renewFor > 0)
                {
                    (due ??= []).Add((charges[i], renewFor));
                }
            }
            else
            {
                (direct ??= new List<int>(charges.Count)).Add(i);
            }
        }

        if (due is not null)
        {
            StartRenewal(due);
        }

        // A burst that finds no lease (after a quiet spell, say) waits for the one lease already being asked for
        // rather than sending every call to Redis; what that lease cannot take is charged directly.
        if (direct is not null && await AsksUnderWayAsync(charges, taken, direct, cancellationToken))
        {
            now = clock.GetTimestamp();
            direct.RemoveAll(i =>
            {
                var took = TryTake(charges[i], now, settings.MaxCalls, out var lease, out _);
                taken[i] = lease;
                return took;
            });
        }

        if (direct is not { Count: > 0 })
        {
            return (ChargeResult.Charged, null);
        }

        var directCharges = new CounterCharge[direct.Count];
        var asks = new LeaseAsk[direct.Count];
        var sizes = new int[direct.Count];
        var answered = new TaskCompletionSource?[direct.Count];
        for (var j = 0; j < direct.Count; j++)
        {
            var charge = directCharges[j] = charges[direct[j]];
            // One lease asked for at a time per counter.
            var asking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_asking.TryAdd(charge.Key, asking))
            {
                answered[j] = asking;
                sizes[j] = _leases.TryGetValue(charge.Key, out var previous) ? previous.NextCalls(settings.MaxCalls) : FirstCalls;
                asks[j] = Ask(charge, sizes[j]);
            }
        }

        try
        {
            LeasedCharge result;
            try
            {
                result = await store!.TryChargeAllAsync(directCharges, asks, settings.Lifetime, cancellationToken);
            }
            catch
            {
                await UntakeAsync(charges, taken);
                throw;
            }

            if (!result.Result.Admitted)
            {
                await UntakeAsync(charges, taken);
                return (result.Result with { Refused = direct[result.Result.Refused] }, result.OthersLeasedFor);
            }

            for (var j = 0; j < direct.Count; j++)
            {
                if (result.Granted[j] > 0)
                {
                    Install(NewLease(directCharges[j], asks[j], result.Granted[j], result.Entries[j], now, sizes[j]), directCharges[j].Key, now);
                }
            }

            return (ChargeResult.Charged, null);
        }
        finally
        {
            // Only once the leases are installed: the calls waiting for them take from them next.
            for (var j = 0; j < direct.Count; j++)
            {
                if (answered[j] is { } asking)
                {
                    _asking.TryRemove(KeyValuePair.Create(directCharges[j].Key, asking));
                    asking.TrySetResult();
                }
            }
        }
    }

    private bool TryTake(CounterCharge charge, long now, int maxCalls, out CounterLease? taken, out int renewFor)
    {
        renewFor = 0;
        taken = _leases.TryGetValue(charge.Key, out var lease) && lease.TryTake(charge.Amount, now, maxCalls, out renewFor) ? lease : null;
        return taken is not null;
    }

    /// <summary>
    /// Waits for the leases being asked for (or renewed) on the counters of <paramref name="direct"/>; false when none
    /// is. A call aborted meanwhile puts back what it took.
    /// </summary>
    private async ValueTask<bool> AsksUnderWayAsync(IReadOnlyList<CounterCharge> charges, CounterLease?[] taken, List<int> direct, CancellationToken cancellationToken)
    {
        List<Task>? underWay = null;
        foreach (var i in direct)
        {
            if (_asking.TryGetValue(charges[i].Key, out var asking))
            {
                (underWay ??= []).Add(asking.Task);
            }
        }

        if (underWay is null)
        {
            return false;
        }

        try
        {
            await Task.WhenAll(underWay).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await UntakeAsync(charges, taken);
            throw;
        }

        return true;
    }

    /// <summary>Asks Redis for the next leases of counters whose lease a call found due for renewal, without waiting for the answer.</summary>
    private void StartRenewal(List<(CounterCharge Unit, int Calls)> due)
    {
        // Counted before the stop flag is read, so a stop either sees this renewal under way or this renewal sees the stop.
        Interlocked.Increment(ref _renewalsUnderWay);
        var renewing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        due.RemoveAll(d => !_asking.TryAdd(d.Unit.Key, renewing));
        if (Volatile.Read(ref _stopping) == 1 || due.Count == 0)
        {
            EndRenewal(due, renewing);
            return;
        }

        _ = RenewAsync(due, renewing);
    }

    private async Task RenewAsync(List<(CounterCharge Unit, int Calls)> due, TaskCompletionSource renewing)
    {
        try
        {
            var lifetime = options.Value.Leases.Lifetime;
            var units = new CounterCharge[due.Count];
            var asks = new LeaseAsk[due.Count];
            for (var j = 0; j < due.Count; j++)
            {
                units[j] = due[j].Unit;
                asks[j] = Ask(due[j].Unit, due[j].Calls);
            }

            var now = clock.GetTimestamp();
            var grants = await store!.LeaseAllAsync(units, asks, lifetime, CancellationToken.None);
            for (var j = 0; j < due.Count; j++)
            {
                if (grants.Granted[j] > 0)
                {
                    Install(NewLease(units[j], asks[j], grants.Granted[j], grants.Entries[j], now, due[j].Calls), units[j].Key, now);
                }
            }
        }
        catch (StorageUnavailableException exception)
        {
            // The leases in use run out or end as without a renewal, and calls then charge Redis themselves.
            LogRenewalFailed(logger, due.Count, exception.Message);
        }
        catch (Exception exception)
        {
            LogRenewalError(logger, due.Count, exception);
        }
        finally
        {
            EndRenewal(due, renewing);
        }
    }

    private void EndRenewal(List<(CounterCharge Unit, int Calls)> asked, TaskCompletionSource renewing)
    {
        foreach (var (unit, _) in asked)
        {
            _asking.TryRemove(KeyValuePair.Create(unit.Key, renewing));
        }

        renewing.TrySetResult();

        if (Interlocked.Decrement(ref _renewalsUnderWay) == 0 && Volatile.Read(ref _stopping) == 1)
        {
            _renewalsDone.TrySetResult();
        }
    }

    /// <summary>A lease of a counter sized for <paramref name="calls"/> calls like <paramref name="charge"/>'s (a check-only one asks for a time lease), under a new id.</summary>
    private LeaseAsk Ask(CounterCharge charge, int calls) =>
        new(charge.Amount == 0 ? 1 : calls * charge.Amount, $"{_replica}:{Interlocked.Increment(ref _lastLease)}");

    /// <summary>
    /// A lease charged at <paramref name="askedAt"/> (before the script ran, so this replica stops using it before
    /// Redis's registration of it expires), due for renewal when three fifths of its lifetime have passed.
    /// </summary>
    private CounterLease NewLease(CounterCharge unit, LeaseAsk ask, long granted, long entry, long askedAt, int calls)
    {
        var lifetime = (long)(options.Value.Leases.Lifetime.TotalSeconds * clock.TimestampFrequency);
        return new CounterLease(unit, ask, granted, entry, askedAt + lifetime, askedAt + (lifetime * 3 / 5), calls);
    }

    private void Install(CounterLease lease, string key, long now)
    {
        while (true)
        {
            if (_leases.TryGetValue(key, out var previous))
            {
                if (_leases.TryUpdate(key, lease, previous))
                {
                    if (previous.End(now) is { } rest)
                    {
                        _replaced.Enqueue(rest);
                    }

                    return;
                }
            }
            else if (_leases.TryAdd(key, lease))
            {
                return;
            }
        }
    }

    /// <summary>Puts back the takes of a call Redis refused; a take whose lease has ended meanwhile is taken off the value directly.</summary>
    private async ValueTask UntakeAsync(IReadOnlyList<CounterCharge> charges, CounterLease?[] taken)
    {
        List<CounterCharge>? late = null;
        for (var i = 0; i < charges.Count; i++)
        {
            // A window's late take stays counted until it leaves the window: the safe side.
            if (taken[i] is { } lease && !lease.TryUntake(charges[i].Amount) && charges[i].Kind == CounterKind.Value && charges[i].Amount != 0)
            {
                (late ??= []).Add(charges[i] with { Amount = -charges[i].Amount });
            }
        }

        if (late is not null)
        {
            await shared.AdjustAllAsync(late, CancellationToken.None);
        }
    }

    /// <summary>
    /// Ends and gives back this replica's lease on the counter, with the rest of leases renewal replaced meanwhile;
    /// false when it had none to give back.
    /// </summary>
    private async ValueTask<bool> ReturnNowAsync(string key, CancellationToken cancellationToken)
    {
        var returns = new List<LeaseReturn>();
        if (_leases.TryGetValue(key, out var lease) && lease.End(clock.GetTimestamp()) is { } rest)
        {
            returns.Add(rest);
        }

        while (_replaced.TryDequeue(out var replaced))
        {
            returns.Add(replaced);
        }

        if (returns.Count == 0)
        {
            return false;
        }

        await store!.ReturnAllAsync(returns, cancellationToken);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Active)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Leases.Lifetime / 5, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ReturnEndedAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Interlocked.Exchange(ref _stopping, 1);
        if (Volatile.Read(ref _renewalsUnderWay) > 0)
        {
            await _renewalsDone.Task.WaitAsync(cancellationToken);
        }

        if (Active)
        {
            // What this replica leased but never used goes back before it stops, not when the windows and periods end.
            await ReturnEndedAsync(all: true, cancellationToken);
        }
    }

    /// <summary>Ends the leases past their deadline (all of them when stopping) and gives back their unused rest in one round trip.</summary>
    private async Task ReturnEndedAsync(bool all, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        // An ended lease is kept a while for the size of the counter's next one.
        var forgetAfter = 10 * (long)(options.Value.Leases.Lifetime.TotalSeconds * clock.TimestampFrequency);
        var returns = new List<LeaseReturn>();
        while (_replaced.TryDequeue(out var replaced))
        {
            returns.Add(replaced);
        }

        foreach (var (key, lease) in _leases)
        {
            if ((all || now >= lease.Deadline) && lease.End(now) is { } rest)
            {
                returns.Add(rest);
            }
            else if (lease.Ended && now - lease.EndedAt > forgetAfter)
            {
                _leases.TryRemove(KeyValuePair.Create(key, lease));
            }
        }

        if (returns.Count == 0)
        {
            return;
        }

        try
        {
            await store!.ReturnAllAsync(returns, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogReturnFailed(logger, returns.Count, exception.Message);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing {Count} counter lease(s) failed; calls charge Redis once the leases in use run out ({Reason})")]
    private static partial void LogRenewalFailed(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing {Count} counter lease(s) failed; calls charge Redis once the leases in use run out")]
    private static partial void LogRenewalError(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving back {Count} counter lease(s) failed; their unused rest stays counted until the windows and periods end ({Reason})")]
    private static partial void LogReturnFailed(ILogger logger, int count, string reason);
}
