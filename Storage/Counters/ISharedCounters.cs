namespace Storage.Counters;

/// <summary>
/// Short-lived state that every replica must see the same: sliding-window rate counters, in-flight gauges and
/// reservations, cooldown flags. Every operation is atomic; amounts are integers (use micro-units for money).
/// </summary>
public interface ISharedCounters
{
    /// <summary>
    /// Adds <paramref name="amount"/> to the sliding window <paramref name="window"/> of <paramref name="key"/>
    /// only if the window's total stays within <paramref name="limit"/>; otherwise adds nothing and says when
    /// enough of the window will have expired.
    /// </summary>
    ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="delta"/> (may be negative) and returns the new value; the key expires <paramref name="ttl"/> after its last change.</summary>
    ValueTask<long> AddAsync(string key, long delta, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="amount"/> only if the result stays within <paramref name="limit"/>: a reservation.</summary>
    ValueTask<Reservation> TryReserveAsync(string key, long amount, long limit, TimeSpan ttl, CancellationToken cancellationToken);

    ValueTask<long> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Raises a flag that lowers itself after <paramref name="ttl"/> (e.g. a deployment's cooldown).</summary>
    ValueTask SetFlagAsync(string key, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>How long the flag stays raised, or null when it is down.</summary>
    ValueTask<TimeSpan?> GetFlagAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Checks every charge and, only when all of them fit, applies all of them, as one atomic step: a call held by
    /// one limit takes nothing from the others. The keys of one call must be distinct.
    /// </summary>
    ValueTask<ChargeResult> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken);

    /// <summary>
    /// Applies amounts without limits, in one step: a window gets the amount at the current time; a value that exists
    /// gets the amount added (one that has expired is left alone, so the next charge seeds it afresh).
    /// </summary>
    ValueTask AdjustAllAsync(IReadOnlyList<CounterCharge> adjustments, CancellationToken cancellationToken);
}

/// <param name="Total">The window's total after the call (including the amount when admitted).</param>
/// <param name="RetryAfter">When refused, how long until the window has room for the amount.</param>
public readonly record struct WindowAdmission(bool Admitted, long Total, TimeSpan RetryAfter);

public readonly record struct Reservation(bool Granted, long Total);
