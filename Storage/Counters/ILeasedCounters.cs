namespace Storage.Counters;

/// <summary>
/// Counters that can charge capacity ahead of use (a lease) for one replica to hand out in memory, and take back what
/// was not used. Only the shared (Redis) counters have them: in-process counters are already in memory.
/// </summary>
public interface ILeasedCounters
{
    /// <summary>
    /// As <see cref="ISharedCounters.TryChargeAllAsync"/>, and for each admitted charge whose <see cref="LeaseAsk"/>
    /// asks for extra, also charges up to that extra when plenty of room remains (none near the limit), registered
    /// under the ask's lease id until <paramref name="lifetime"/> has passed.
    /// </summary>
    ValueTask<LeasedCharge> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, IReadOnlyList<LeaseAsk>? asks, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// Leases headroom of each counter ahead of need, charging no call: each charge's amount is the unit the lease is
    /// sized in (a call's amount; 0 asks for a check-only window's time lease) and its ask the extra wanted, granted on
    /// the same terms as with a charge, on each counter alone. A renewal of a busy lease, made while it still has room.
    /// </summary>
    /// <returns>Per counter, the extra granted (0 when none) and a window lease's entry.</returns>
    ValueTask<LeaseGrants> LeaseAllAsync(IReadOnlyList<CounterCharge> units, IReadOnlyList<LeaseAsk> asks, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>Gives back the unused part of ended leases (a window keeps the used part at the entry's time) and ends their registration.</summary>
    ValueTask ReturnAllAsync(IReadOnlyList<LeaseReturn> returns, CancellationToken cancellationToken);
}

/// <param name="Extra">Units asked for beyond the charge's amount (0: none); for a check-only window charge, any positive value asks for a time lease.</param>
/// <param name="LeaseId">Unique among every replica's leases; names the lease in the counter's registry.</param>
public readonly record struct LeaseAsk(long Extra, string LeaseId);

/// <param name="Granted">Per charge: the extra granted (0 when none); 1 for a granted check-only lease.</param>
/// <param name="Entries">Per charge: a window lease's entry in the window log (to rewrite on return), else 0.</param>
/// <param name="OthersLeasedFor">When refused: how long leases (of any replica) are still registered on the refused counter; null when none are.</param>
public readonly record struct LeasedCharge(ChargeResult Result, long[] Granted, long[] Entries, TimeSpan? OthersLeasedFor);

/// <param name="Granted">Per counter: the extra granted (0 when none); 1 for a granted check-only lease.</param>
/// <param name="Entries">Per counter: a window lease's entry in the window log (to rewrite on return), else 0.</param>
public readonly record struct LeaseGrants(long[] Granted, long[] Entries);

/// <param name="Entry">The window log entry the lease was charged as (<see cref="LeasedCharge.Entries"/>); 0 for a value.</param>
public readonly record struct LeaseReturn(CounterKind Kind, string Key, string LeaseId, long Entry, long Granted, long Unused);
