using StackExchange.Redis;

namespace Storage.Counters;

/// <summary>Leases on the Redis counters: charged and returned by the same scripts as direct charges.</summary>
internal sealed partial class RedisSharedCounters
{
    public async ValueTask<LeasedCharge> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, IReadOnlyList<LeaseAsk>? asks, TimeSpan lifetime,
        CancellationToken cancellationToken)
    {
        var keys = CounterKeys(charges.Count, i => (charges[i].Kind, charges[i].Key));
        var values = new RedisValue[1 + (charges.Count * 7)];
        values[0] = (long)lifetime.TotalMilliseconds;
        for (var i = 0; i < charges.Count; i++)
        {
            var at = 1 + (i * 7);
            WriteCharge(charges[i], values, at);
            var ask = asks?[i] ?? default;
            values[at + 5] = ask.Extra;
            values[at + 6] = ask.LeaseId ?? string.Empty;
        }

        var result = (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(RedisCounterScripts.TryChargeAll, keys, values)))!;
        var refused = (int)result[0];
        if (refused >= 0)
        {
            var leasedFor = (long)result[3];
            return new LeasedCharge(new ChargeResult(refused, (long)result[1], TimeSpan.FromMilliseconds((long)result[2])), [], [],
                leasedFor < 0 ? null : TimeSpan.FromMilliseconds(leasedFor));
        }

        var granted = new long[charges.Count];
        var entries = new long[charges.Count];
        for (var i = 0; i < charges.Count; i++)
        {
            granted[i] = (long)result[4 + (i * 2)];
            entries[i] = (long)result[5 + (i * 2)];
        }

        return new LeasedCharge(ChargeResult.Charged, granted, entries, null);
    }

    public ValueTask ReturnAllAsync(IReadOnlyList<LeaseReturn> returns, CancellationToken cancellationToken) =>
        RunBatchAsync(RedisCounterScripts.ReturnLeases, returns, static r => (r.Kind, r.Key), static (lease, values, at) =>
        {
            values[at] = lease.Kind == CounterKind.Window ? 0 : 1;
            values[at + 1] = lease.Entry;
            values[at + 2] = lease.Granted;
            values[at + 3] = lease.Unused;
            values[at + 4] = lease.LeaseId;
        });
}
