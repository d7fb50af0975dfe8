using StackExchange.Redis;

namespace Gateway.Tests.Governance;

/// <summary>
/// A Redis database of its own for one test (1 to 15, emptied first): the spend buffer is one per database, and the
/// gateways of one test must not flush another test's spend into their store.
/// </summary>
internal static class IsolatedRedis
{
    private static int _next;

    public static async Task<string> ConnectionStringAsync(RedisServer redis)
    {
        var database = (Interlocked.Increment(ref _next) % 15) + 1;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync(database);
        return $"{redis.ConnectionString},defaultDatabase={database}";
    }
}
