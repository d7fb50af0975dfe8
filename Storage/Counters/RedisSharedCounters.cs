using System.Collections.Concurrent;
using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Counters;

/// <summary>The distributed counters: one Redis for every replica, each operation one atomic script.</summary>
internal sealed class RedisSharedCounters(RedisConnection redis) : ISharedCounters
{
    private const string Seam = "counters";

    // The Redis keys of a counter (a window's three, a value's one) are built once per counter rather than on every
    // charge; bounded, because end users (and so their counters) are the callers' to name.
    private const int MaxCachedKeys = 10_000;
    private readonly ConcurrentDictionary<string, RedisKey[]> _windowKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisKey> _valueKeys = new(StringComparer.Ordinal);
    private int _cachedKeys;

    public async ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(
            RedisCounterScripts.TryAddToWindow,
            WindowKeys(key),
            [amount, limit, (long)window.TotalMilliseconds])))!;
        return new WindowAdmission((long)result[0] == 1, (long)result[1], TimeSpan.FromMilliseconds((long)result[2]));
    }

    public async ValueTask<ChargeResult> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        if (charges.Count == 0)
        {
            return ChargeResult.Charged;
        }

        var (keys, values) = ScriptArguments(charges);
        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(RedisCounterScripts.TryChargeAll, keys, values)))!;
        var refused = (int)result[0];
        return refused < 0 ? ChargeResult.Charged : new ChargeResult(refused, (long)result[1], TimeSpan.FromMilliseconds((long)result[2]));
    }

    public async ValueTask AdjustAllAsync(IReadOnlyList<CounterCharge> adjustments, CancellationToken cancellationToken)
    {
        if (adjustments.Count == 0)
        {
            return;
        }

        var (keys, values) = ScriptArguments(adjustments);
        await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(RedisCounterScripts.AdjustAll, keys, values));
    }

    /// <summary>Three keys and five values per charge, the layout the batch scripts read.</summary>
    private (RedisKey[] Keys, RedisValue[] Values) ScriptArguments(IReadOnlyList<CounterCharge> charges)
    {
        var keys = new RedisKey[charges.Count * 3];
        var values = new RedisValue[charges.Count * 5];
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            if (charge.Kind == CounterKind.Window)
            {
                Cached(_windowKeys, charge.Key, WindowKeys).CopyTo(keys, i * 3);
            }
            else
            {
                keys[i * 3] = keys[(i * 3) + 1] = keys[(i * 3) + 2] = Cached(_valueKeys, charge.Key, Key);
            }

            values[i * 5] = charge.Kind == CounterKind.Window ? 0 : 1;
            values[(i * 5) + 1] = charge.Amount;
            values[(i * 5) + 2] = charge.Limit;
            values[(i * 5) + 3] = (long)charge.Period.TotalMilliseconds;
            values[(i * 5) + 4] = charge.Seed;
        }

        return (keys, values);
    }

    private T Cached<T>(ConcurrentDictionary<string, T> cache, string key, Func<string, T> build)
    {
        if (cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (Interlocked.Increment(ref _cachedKeys) > MaxCachedKeys)
        {
            _windowKeys.Clear();
            _valueKeys.Clear();
            Interlocked.Exchange(ref _cachedKeys, 0);
        }

        return cache.GetOrAdd(key, build);
    }

    // One hash tag keeps a window's three keys in one slot on a Redis cluster.
    private static RedisKey[] WindowKeys(string key)
    {
        var tag = $"window:{{{key}}}";
        return [$"{tag}:log", $"{tag}:total", $"{tag}:seq"];
    }

    public async ValueTask<long> AddAsync(string key, long delta, TimeSpan ttl, CancellationToken cancellationToken) =>
        (long)await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(RedisCounterScripts.Add, [Key(key)], [delta, (long)ttl.TotalMilliseconds]));

    public async ValueTask<Reservation> TryReserveAsync(string key, long amount, long limit, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(
            RedisCounterScripts.TryReserve, [Key(key)], [amount, limit, (long)ttl.TotalMilliseconds])))!;
        return new Reservation((long)result[0] == 1, (long)result[1]);
    }

    public async ValueTask<long> GetAsync(string key, CancellationToken cancellationToken)
    {
        var value = await redis.CallAsync(Seam, db => db.StringGetAsync(Key(key)));
        return value.IsNull ? 0 : (long)value;
    }

    public async ValueTask SetFlagAsync(string key, TimeSpan ttl, CancellationToken cancellationToken) =>
        await redis.CallAsync(Seam, db => db.StringSetAsync(FlagKey(key), 1, ttl));

    public async ValueTask<TimeSpan?> GetFlagAsync(string key, CancellationToken cancellationToken) =>
        await redis.CallAsync(Seam, db => db.KeyTimeToLiveAsync(FlagKey(key)));

    private static RedisKey Key(string key) => $"counter:{key}";

    private static RedisKey FlagKey(string key) => $"flag:{key}";
}
