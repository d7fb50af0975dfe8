using Storage.Counters;

namespace Gateway.Governance.Leases;

/// <summary>
/// Capacity of one counter this replica has charged in Redis ahead of use, handed to calls in memory until its
/// deadline; a check-only lease (a tpm window far below its limit) admits calls until then without counting them.
/// A busy lease is renewed before it runs out (<see cref="TryTake"/> says when), so calls keep finding one.
/// </summary>
internal sealed class CounterLease(CounterCharge charge, LeaseAsk ask, long granted, long entry, long deadline, long renewAt, int calls)
{
    private readonly Lock _gate = new();
    private long _used;
    private int _takes;
    private bool _exhausted;
    private bool _renewing;

    public long Deadline => deadline;

    public bool Ended { get; private set; }

    /// <summary>When it ended (a <see cref="TimeProvider"/> timestamp).</summary>
    public long EndedAt { get; private set; }

    private bool CheckOnly => charge.Amount == 0;

    /// <summary>
    /// Takes <paramref name="amount"/> for a call, as if the call had charged Redis itself. When that makes the lease due
    /// for renewal (<see cref="RenewalDue"/>), once, also says how many calls the next one is to be sized for.
    /// </summary>
    public bool TryTake(long amount, long now, int maxCalls, out int renewFor)
    {
        renewFor = 0;
        lock (_gate)
        {
            if (Ended || now >= deadline || CheckOnly != (amount == 0))
            {
                return false;
            }

            if (granted - _used < amount)
            {
                _exhausted = true;
                return false;
            }

            _used += amount;
            _takes++;
            if (!_renewing && RenewalDue(now, maxCalls, out renewFor))
            {
                _renewing = true;
            }

            return true;
        }
    }

    /// <summary>
    /// Settles a call's adjustment of this counter (a value) in memory: a negative amount (a parallel slot, an unspent
    /// reservation) becomes unused again and goes back to Redis with the rest; a positive one (an overrun) is taken as a
    /// charge would be. False when the lease cannot: ended, past its deadline, a window, or without room.
    /// </summary>
    public bool TrySettle(long amount, long now)
    {
        lock (_gate)
        {
            if (Ended || now >= deadline || CheckOnly || charge.Kind != CounterKind.Value || granted - _used < amount)
            {
                return false;
            }

            _used += amount;
            return true;
        }
    }

    /// <summary>What this replica holds charged in Redis beyond what calls are using: nothing once ended.</summary>
    public long Unused
    {
        get
        {
            lock (_gate)
            {
                return Ended || CheckOnly ? 0 : granted - _used;
            }
        }
    }

    /// <summary>Puts back a take of a call Redis refused; false when the lease ended meanwhile (its return counted the take as used).</summary>
    public bool TryUntake(long amount)
    {
        lock (_gate)
        {
            if (Ended)
            {
                return false;
            }

            _used -= amount;
            _takes--;
            return true;
        }
    }

    /// <summary>Ends the lease, once: what to give back to Redis, or null when there is nothing to (ended before, or check-only).</summary>
    public LeaseReturn? End(long now)
    {
        lock (_gate)
        {
            if (Ended)
            {
                return null;
            }

            Ended = true;
            EndedAt = now;
            return CheckOnly ? null : new LeaseReturn(charge.Kind, charge.Key, ask.LeaseId, entry, granted, granted - _used);
        }
    }

    /// <summary>
    /// A busy lease is renewed while calls can still take from it: once more than half of it is used (the next one
    /// sized for twice as many calls), or once its renewal time has come (sized for as many, or half as many when less
    /// than a quarter was used by then).
    /// </summary>
    private bool RenewalDue(long now, int maxCalls, out int nextCalls)
    {
        nextCalls = 0;
        if (!CheckOnly && _used * 2 > granted)
        {
            nextCalls = Math.Min(maxCalls, calls * 2);
        }
        else if (now >= renewAt)
        {
            nextCalls = !CheckOnly && _takes * 4 < calls ? Math.Max(1, calls / 2) : calls;
        }

        return nextCalls > 0;
    }

    /// <summary>How many calls the counter's next lease is sized for: twice as many after this one ran out, half after it was mostly unused.</summary>
    public int NextCalls(int max)
    {
        lock (_gate)
        {
            if (_exhausted)
            {
                return Math.Min(max, calls * 2);
            }

            return Ended && _takes * 2 < calls ? Math.Max(1, calls / 2) : Math.Min(max, calls);
        }
    }
}
