using Storage.Counters;

namespace Gateway.Tests.Governance;

/// <summary>Redis's lease scripts, counting what a replica's leases ask of them.</summary>
internal sealed class CountingLeasedCounters(ILeasedCounters inner) : ILeasedCounters
{
    private readonly List<long> _asked = [];
    private int _charges;
    private int _renewals;

    /// <summary>Calls charged in Redis (with or without a lease asked for).</summary>
    public int Charges => Volatile.Read(ref _charges);

    /// <summary>Leases renewed ahead of need, charging no call.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>While set and not completed, charges wait for it before going to Redis: a round trip held open.</summary>
    public TaskCompletionSource? HoldCharges { get; set; }

    /// <summary>The extra each lease asked for, in the order asked.</summary>
    public long[] Asked
    {
        get
        {
            lock (_asked)
            {
                return [.. _asked];
            }
        }
    }

    public async ValueTask<LeasedCharge> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, IReadOnlyList<LeaseAsk>? asks, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _charges);
        Record(asks ?? []);
        if (HoldCharges is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return await inner.TryChargeAllAsync(charges, asks, lifetime, cancellationToken);
    }

    public ValueTask<LeaseGrants> LeaseAllAsync(IReadOnlyList<CounterCharge> units, IReadOnlyList<LeaseAsk> asks, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _renewals);
        Record(asks);
        return inner.LeaseAllAsync(units, asks, lifetime, cancellationToken);
    }

    public ValueTask ReturnAllAsync(IReadOnlyList<LeaseReturn> returns, CancellationToken cancellationToken) => inner.ReturnAllAsync(returns, cancellationToken);

    private void Record(IReadOnlyList<LeaseAsk> asks)
    {
        lock (_asked)
        {
            _asked.AddRange(asks.Where(a => a.LeaseId is not null).Select(a => a.Extra));
        }
    }
}
