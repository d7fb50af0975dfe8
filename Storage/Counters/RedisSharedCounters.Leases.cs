using StackExchange.Redis;

namespace Storage.Counters;

/// <summary>Leases on the Redis counters: charged and returned by the same scripts as direct charges.</summary>
internal sealed partial class RedisSharedCounters
{
    public async ValueTask<LeasedCharge> TryChargeAllAsync(IReadOnlyList<CounterCharge> charges, IReadOnlyList<LeaseAsk>? asks, TimeSpan lifetime,
        CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(RedisCounterScripts.TryChargeAll, charges, asks, lifetime);
        var refused = (int)result[0];
        if (refused >= 0)
        {
            var leasedFor = (long)result[3];
            return new LeasedCharge(new ChargeResult(refused, (long)result[1], TimeSpan.FromMilliseconds((long)result[2])), [], [],
                leasedFor < 0 ? null : TimeSpan.FromMilliseconds(leasedFor));
        }

        var (granted, entries) = Grants(result, 4, charges.Count);
        return new LeasedCharge(ChargeResult.Charged, granted, entries, null);
    }

    public async ValueTask<LeaseGrants> LeaseAllAsync(IReadOnlyList<CounterCharge> units, IReadOnlyList<LeaseAsk> asks, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(RedisCounterScripts.LeaseAll, units, asks, lifetime);
        return Grants(result, 0, units.Count);
    }

    /// <summary>The {granted, entry} pair of each of <paramref name="count"/> counters, from <paramref name="at"/> in a lease script's result.</summary>
    private static LeaseGrants Grants(RedisResult[] result, int at, int count)
    {
        var granted = new long[count];
        var entries = new long[count];
        for (var i = 0; i < count; i++)
        {
            granted[i] = (long)result[at + (i * 2)];
            entries[i] = (long)result[at + (i * 2) + 1];
        }

        return new LeaseGrants(granted, entries);
    }

    /// <summary>Runs a lease script on the counters: the lifetime, then each charge's five values, extra asked and lease id.</summary>
    private async Task<RedisResult[]> EvaluateAsync(string script, IReadOnlyList<CounterCharge> charges, IReadOnlyList<LeaseAsk>? asks, TimeSpan lifetime)
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

        return (RedisResult[])(await redis.CallAsync(Seam, db => db.ScriptEvaluateAsync(script, keys, values)))!;
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
