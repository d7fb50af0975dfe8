using System.Collections.Concurrent;

namespace Storage.Counters;

/// <summary>The embedded counters: the same contract as Redis, for one process, on <see cref="TimeProvider"/>.</summary>
internal sealed class InProcessSharedCounters(TimeProvider clock) : ISharedCounters
{
    private readonly ConcurrentDictionary<string, SlidingWindow> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExpiringValue> _values = new(StringComparer.Ordinal);

    public ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var sliding = _windows.GetOrAdd(key, static _ => new SlidingWindow());
        return ValueTask.FromResult(sliding.TryAdd(clock.GetUtcNow(), amount, limit, window));
    }

    public ValueTask<long> AddAsync(string key, long delta, TimeSpan ttl, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Update(key, ttl, current => (current + delta, true)).Value);

    public ValueTask<Reservation> TryReserveAsync(string key, long amount, long limit, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var (value, granted) = Update(key, ttl, current => current + amount <= limit ? (current + amount, true) : (current, false));
        return ValueTask.FromResult(new Reservation(granted, value));
    }

    public ValueTask<long> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_values.TryGetValue(key, out var entry) && entry.ExpiresAt > clock.GetUtcNow() ? entry.Value : 0);

    public ValueTask SetFlagAsync(string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        _values[key] = new ExpiringValue(1, clock.GetUtcNow() + ttl);
        return ValueTask.CompletedTask;
    }

    public ValueTask<TimeSpan?> GetFlagAsync(string key, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return ValueTask.FromResult<TimeSpan?>(_values.TryGetValue(key, out var entry) && entry.ExpiresAt > now ? entry.ExpiresAt - now : null);
    }

    private (long Value, bool Changed) Update(string key, TimeSpan ttl, Func<long, (long Next, bool Apply)> change)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var exists = _values.TryGetValue(key, out var entry);
            var current = exists && entry!.ExpiresAt > now ? entry.Value : 0;
            var (next, apply) = change(current);
            if (!apply)
            {
                return (current, false);
            }

            var updated = new ExpiringValue(next, now + ttl);
            if (exists ? _values.TryUpdate(key, updated, entry!) : _values.TryAdd(key, updated))
            {
                return (next, true);
            }
        }
    }

    private sealed record ExpiringValue(long Value, DateTimeOffset ExpiresAt);

    private sealed class SlidingWindow
    {
        private readonly Lock _gate = new();
        private readonly Queue<(DateTimeOffset At, long Amount)> _entries = new();
        private long _total;

        public WindowAdmission TryAdd(DateTimeOffset now, long amount, long limit, TimeSpan window)
        {
            lock (_gate)
            {
                while (_entries.TryPeek(out var oldest) && oldest.At <= now - window)
                {
                    _entries.Dequeue();
                    _total -= oldest.Amount;
                }

                if (_total + amount > limit)
                {
                    return new WindowAdmission(false, _total, RetryAfter(now, amount, limit, window));
                }

                _entries.Enqueue((now, amount));
                _total += amount;
                return new WindowAdmission(true, _total, TimeSpan.Zero);
            }
        }

        /// <summary>The time until enough of the oldest entries leave the window to make room for the amount.</summary>
        private TimeSpan RetryAfter(DateTimeOffset now, long amount, long limit, TimeSpan window)
        {
            if (amount > limit)
            {
                return window;
            }

            var remaining = _total;
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
