using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Tests.Governance;

/// <summary>How many scripts a Redis has run (INFO commandstats): every counters operation and spend-buffer write is one.</summary>
internal static class RedisScriptCalls
{
    public static async Task<long> CountAsync(RedisServer server)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var stats = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("commandstats");
        return stats.SelectMany(group => group)
            .Where(stat => stat.Key is "cmdstat_evalsha" or "cmdstat_eval" or "cmdstat_evalsha_ro" or "cmdstat_eval_ro" or "cmdstat_fcall")
            .Sum(stat => long.Parse(stat.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
    }
}
