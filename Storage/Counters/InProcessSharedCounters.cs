namespace Storage.Counters;

/// <summary>
/// The embedded counters: the same contract as Redis, for one process, on <see cref="TimeProvider"/>. One lock
/// guards everything, so a batch of charges is as atomic as Redis' script; each operation is a few dictionary
/// look-ups, so the lock is never held long.
/// </summary>
internal sealed class InProcessSharedCounters(TimeProvider clock) : ISharedCounters
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SlidingWindow> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExpiringValue> _values = new(StringComparer.Ordinal);

    public ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var sliding = Window(key);
            var now = clock.GetUtcNow();
            var refusal = sliding.Check(now, amount, limit, window);
            if (refusal is { } wait)
            {
                return ValueTask.FromResult(new WindowAdmission(false, sliding.Total, wait));
            }

            sliding.Add(now, amount);
            return ValueTask.FromResult(new WindowAdmission(true, sliding.Total, TimeSpan.Zero));
        }
    }

    public ValueTask<long> AddAsync(string key, long delta, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var next = Current(key, now, seed: 0) + delta;
            _values[key] = new ExpiringValue(next, now + ttl);
            return ValueTask.FromResult(next);
        }
    }

    public ValueTask<Reservation> TryReserveAsync(string key, long amount, long limit, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var current = Current(key, now, seed: 0);
            if (current + amount > limit)
            {
                return ValueTask.FromResult(new Reservation(false, current));
            }

            _values[key] = new ExpiringValue(current + amount, now + ttl);
            return ValueTask.FromResult(new Reservation(true, current + amount));
        }
    }

    public ValueTask<long> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(Current(key, clock.GetUtcNow(), seed: 0));
        }
    }

    public ValueTask SetFlagAsync(string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _values[FlagKey(key)] = new ExpiringValue(1, clock.GetUtcNow() + ttl);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<TimeSpan?> GetFlagAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            return ValueTask.FromResult<TimeSpan?>(_values.TryGetValue(FlagKey(key), out var entry) && entry.ExpiresAt > now ? entry.ExpiresAt - now : null);
        }
    }

    public ValueTask<ChargeResult> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            for (var i = 0; i < charges.Count; i++)
            {
                var charge = charges[i];
                if (charge.Kind == CounterKind.Window)
                {
                    var window = Window(charge.Key);
                    if (window.Check(now, charge.Amount, charge.Limit, charge.Period) is { } wait)
                    {
                        return ValueTask.FromResult(new ChargeResult(i, window.Total, wait));
                    }
                }
                else if (Current(charge.Key, now, charge.Seed) is var current && current + charge.Amount > charge.Limit)
                {
                    return ValueTask.FromResult(new ChargeResult(i, current, TimeSpan.Zero));
                }
            }

            foreach (var charge in charges)
            {
                if (charge.Kind == CounterKind.Window)
                {
                    Window(charge.Key).Add(now, charge.Amount);
                }
                else
                {
                    _values[charge.Key] = new ExpiringValue(Current(charge.Key, now, charge.Seed) + charge.Amount, now + charge.Period);
                }
            }

            return ValueTask.FromResult(ChargeResult.Charged);
        }
    }

    public ValueTask AdjustAllAsync(IReadOnlyList<CounterCharge> adjustments, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            foreach (var adjustment in adjustments)
            {
                if (adjustment.Kind == CounterKind.Window)
                {
                    Window(adjustment.Key).Add(now, adjustment.Amount);
                }
                else if (_values.TryGetValue(adjustment.Key, out var entry) && entry.ExpiresAt > now)
                {
                    _values[adjustment.Key] = new ExpiringValue(entry.Value + adjustment.Amount, now + adjustment.Period);
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    private long Current(string key, DateTimeOffset now, long seed) =>
        _values.TryGetValue(key, out var entry) && entry.ExpiresAt > now ? entry.Value : seed;

    private SlidingWindow Window(string key)
    {
        if (!_windows.TryGetValue(key, out var window))
        {
            window = new SlidingWindow();
            _windows[key] = window;
        }

        return window;
    }

    // Flags live beside values under their own prefix, as in Redis.
    private static string FlagKey(string key) => "flag:" + key;

    private readonly record struct ExpiringValue(long Value, DateTimeOffset ExpiresAt);

    /// <summary>A log of (time, amount) entries and their running total; not thread-safe (the counters' lock guards it).</summary>
    private sealed class SlidingWindow
    {
        private readonly Queue<(DateTimeOffset At, long Amount)> _entries = new();

        public long Total { get; private set; }

        /// <summary>Drops what has left the window; null when the amount fits, else how long until it will.</summary>
        public TimeSpan? Check(DateTimeOffset now, long amount, long limit, TimeSpan window)
        {
            while (_entries.TryPeek(out var oldest) && oldest.At <= now - window)
            {
                _entries.Dequeue();
                Total -= oldest.Amount;
            }

            return Total + amount > limit ? RetryAfter(now, amount, limit, window) : null;
        }

        public void Add(DateTimeOffset now, long amount)
        {
            if (amount != 0)
            {
                _entries.Enqueue((now, amount));
                Total += amount;
            }
        }

        /// <summary>The time until enough of the oldest entries leave the window to make room for the amount.</summary>
        private TimeSpan RetryAfter(DateTimeOffset now, long amount, long limit, TimeSpan window)
        {
            if (amount > limit)
            {
                return window;
            }

            var remaining = Total;
            foreach (var (at, entryAmount) in _entries)
            {
                remaining -= entryAmount;
                if (remaining + amount <= limit)
                {
                    return at + window - now;
                }
            }

            return window;
        }
    }
}
