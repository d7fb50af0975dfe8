using StackExchange.Redis;

namespace Storage.Redis;

/// <summary>
/// The process's one multiplexed connection to Redis, shared by the queue and the counters. It connects in the
/// background and reconnects by itself, so a Redis outage surfaces as calls failing fast, never as a failed start.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;

    public RedisConnection(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        // While the connection is down, calls fail at once instead of queueing until their timeout: a gateway call
        // must not wait seconds on a dead Redis, and every caller has its own answer to an outage.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        Endpoint = string.Join(",", options.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(options));
    }

    /// <summary>Host and port only: the connection string may carry a password.</summary>
    public string Endpoint { get; }

    public async Task<IDatabase> DatabaseAsync() => (await _multiplexer.Value).GetDatabase();

    internal Task<ConnectionMultiplexer> MultiplexerAsync() => _multiplexer.Value;

    /// <summary>Runs a Redis call and turns connection failures and time-outs into <see cref="StorageUnavailableException"/>.</summary>
    public async Task<T> CallAsync<T>(string seam, Func<IDatabase, Task<T>> call)
    {
        try
        {
            return await call(await DatabaseAsync());
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new StorageUnavailableException(seam, "redis", $"{Endpoint}: {exception.Message}", exception);
        }
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            var database = await DatabaseAsync();
            await database.PingAsync();
            return true;
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated)
        {
            await (await _multiplexer.Value).DisposeAsync();
        }
    }
}
