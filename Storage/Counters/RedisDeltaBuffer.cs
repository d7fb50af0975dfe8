using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Counters;

/// <summary>
/// The distributed delta buffer: a Redis hash every replica increments; taking a batch renames it aside (with an
/// id), so increments made meanwhile start a new hash and a batch is never half-read.
/// </summary>
internal sealed class RedisDeltaBuffer(RedisConnection redis) : IDeltaBuffer
{
    private const string Seam = "counters";

    // One hash tag keeps the three keys in one slot on a Redis cluster.
    private static readonly RedisKey[] Keys = ["deltas:{spend}:pending", "deltas:{spend}:taken", "deltas:{spend}:taken-id"];

    private const string AddScript = """
        for i = 1, #ARGV, 2 do
          redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        return 1
        """;

    private const string TakeScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 then
          if redis.call('EXISTS', KEYS[1]) == 0 then
            return nil
          end
          redis.call('RENAME', KEYS[1], KEYS[2])
          redis.call('SET', KEYS[3], ARGV[1])
        end
        return {redis.call('GET', KEYS[3]), redis.call('HGETALL', KEYS[2])}
        """;

    private const string CompleteScript = """
        if redis.call('GET', KEYS[3]) == ARGV[1] then
          redis.call('DEL', KEYS[2], KEYS[3])
        end
        return 1
        """;

    public async ValueTask AddAsync(IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        var values = new RedisValue[deltas.Count * 2];
        for (var i = 0; i < deltas.Count; i++)
        {
            values[i * 2] = deltas[i].Key;
            values[(i * 2) + 1] = deltas[i].Value;
        }

        await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(AddScript, Keys, values));
    }

    public async ValueTask<DeltaBatch?> TakeAsync(CancellationToken cancellationToken)
    {
        var result = await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(TakeScript, Keys, [Guid.CreateVersion7().ToString("N")]));
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        var fields = (RedisResult[])parts[1]!;
        var deltas = new Dictionary<string, long>(fields.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < fields.Length; i += 2)
        {
            deltas[(string)fields[i]!] = (long)fields[i + 1];
        }

        return new DeltaBatch((string)parts[0]!, deltas);
    }

    public async ValueTask CompleteAsync(string batchId, CancellationToken cancellationToken) =>
        await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(CompleteScript, Keys, [batchId]));
}
