using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Counters;

/// <summary>The distributed counters: one Redis for every replica, each operation one atomic script.</summary>
internal sealed class RedisSharedCounters(RedisConnection redis) : ISharedCounters
{
    private const string Seam = "counters";

    public async ValueTask<WindowAdmission> TryAddToWindowAsync(string key, long amount, long limit, TimeSpan window, CancellationToken cancellationToken)
    {
        // One hash tag keeps the window's three keys in one slot on a Redis cluster.
        var tag = $"window:{{{key}}}";
        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(
            RedisCounterScripts.TryAddToWindow,
            [$"{tag}:log", $"{tag}:total", $"{tag}:seq"],
            [amount, limit, (long)window.TotalMilliseconds])))!;
        return new WindowAdmission((long)result[0] == 1, (long)result[1], TimeSpan.FromMilliseconds((long)result[2]));
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
