using System.Collections.Concurrent;
using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Counters;

/// <summary>The distributed counters: one Redis for every replica, each operation one atomic script.</summary>
internal sealed partial class RedisSharedCounters(RedisConnection redis) : ISharedCounters, ILeasedCounters
{
    private const string Seam = "counters";

    // The Redis keys of a counter (a window's three, a value's one) are built once per counter rather than on every
    // charge; bounded, because end users (and so their counters) are the callers' to name.
    private const int MaxCachedKeys = 10_000;
    private readonly ConcurrentDictionary<string, RedisKey[]> _windowKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisKey[]> _valueKeys = new(StringComparer.Ordinal);
    private int _cachedKeys;

    public async ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(
            RedisCounterScripts.TryAddToWindow,
            WindowKeys(key),
            [amount, limit, (long)window.TotalMilliseconds])))!;
        return new WindowAdmission((long)result[0] == 1, (long)result[1], TimeSpan.FromMilliseconds((long)result[2]));
    }

    public async ValueTask<ChargeResult> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken) =>
        charges.Count == 0 ? ChargeResult.Charged : (await TryChargeAllAsync(charges, null, TimeSpan.Zero, cancellationToken)).Result;

    public ValueTask AdjustAllAsync(IReadOnlyList<CounterCharge> adjustments, CancellationToken cancellationToken) =>
        RunBatchAsync(RedisCounterScripts.AdjustAll, adjustments, static c => (c.Kind, c.Key), WriteCharge);

    /// <summary>Runs a script that takes four keys (<see cref="CounterKeys"/>) and five values per item, in one round trip.</summary>
    private async ValueTask RunBatchAsync<T>(string script, IReadOnlyList<T> items, Func<T, (CounterKind Kind, string Key)> counter, Action<T, RedisValue[], int> write)
    {
        if (items.Count == 0)
        {
            return;
        }

        var keys = CounterKeys(items.Count, i => counter(items[i]));
        var values = new RedisValue[items.Count * 5];
        for (var i = 0; i < items.Count; i++)
        {
            write(items[i], values, i * 5);
        }

        await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(script, keys, values));
    }

    /// <summary>Four keys per counter, the layout the batch scripts read: a window's log, total and sequence (a value's key three times), then its lease registry.</summary>
    private RedisKey[] CounterKeys(int count, Func<int, (CounterKind Kind, string Key)> counter)
    {
        var keys = new RedisKey[count * 4];
        for (var i = 0; i < count; i++)
        {
            var (kind, key) = counter(i);
            (kind == CounterKind.Window ? Cached(_windowKeys, key, WindowKeys) : Cached(_valueKeys, key, ValueKeys)).CopyTo(keys, i * 4);
        }

        return keys;
    }

    /// <summary>A charge's five script values: kind, amount, limit, period ms, seed.</summary>
    private static void WriteCharge(CounterCharge charge, RedisValue[] values, int at)
    {
        values[at] = charge.Kind == CounterKind.Window ? 0 : 1;
        values[at + 1] = charge.Amount;
        values[at + 2] = charge.Limit;
        values[at + 3] = (long)charge.Period.TotalMilliseconds;
        values[at + 4] = charge.Seed;
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

    // One hash tag keeps a window's keys in one slot on a Redis cluster.
    private static RedisKey[] WindowKeys(string key)
    {
        var tag = $"window:{{{key}}}";
        return [$"{tag}:log", $"{tag}:total", $"{tag}:seq", $"{tag}:leases"];
    }

    private static RedisKey[] ValueKeys(string key)
    {
        var value = Key(key);
        return [value, value, value, $"{value}:leases"];
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
