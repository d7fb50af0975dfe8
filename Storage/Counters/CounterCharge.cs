namespace Storage.Counters;

/// <summary>What a <see cref="CounterCharge"/> counts against.</summary>
public enum CounterKind
{
    /// <summary>A sliding window of <see cref="CounterCharge.Period"/> (requests or tokens per minute).</summary>
    Window,

    /// <summary>A value that lives <see cref="CounterCharge.Period"/> after its last change (spend in a budget period, calls in flight).</summary>
    Value,
}

/// <summary>
/// One limit of a call, checked and charged together with the call's other limits by
/// <see cref="ISharedCounters.TryChargeAllAsync"/>, or settled by <see cref="ISharedCounters.AdjustAllAsync"/>.
/// </summary>
/// <param name="Amount">What the call adds. A window charge of 0 only checks that the window is within <paramref name="Limit"/>.</param>
/// <param name="Limit">The most the window's total or the value may reach with <paramref name="Amount"/> added.</param>
/// <param name="Period">The window's length, or how long the value lives after its last change.</param>
/// <param name="Seed">For a value that does not exist yet: what it starts from (e.g. spend already recorded elsewhere).</param>
public readonly record struct CounterCharge(CounterKind Kind, string Key, long Amount, long Limit, TimeSpan Period, long Seed = 0)
{
    public static CounterCharge Window(string key, long amount, long limit, TimeSpan window) => new(CounterKind.Window, key, amount, limit, window);

    public static CounterCharge Value(string key, long amount, long limit, TimeSpan ttl, long seed = 0) => new(CounterKind.Value, key, amount, limit, ttl, seed);
}

/// <param name="Refused">The index of the first charge that did not fit, or -1 when all were charged.</param>
/// <param name="Total">The refused counter's total before the call.</param>
/// <param name="RetryAfter">For a refused window: when it will have room; for a refused value: zero (the caller knows when it resets).</param>
public readonly record struct ChargeResult(int Refused, long Total, TimeSpan RetryAfter)
{
    public static ChargeResult Charged => new(-1, 0, TimeSpan.Zero);

    public bool Admitted => Refused < 0;
}
