using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Storage.Redis;

namespace Storage.Counters;

public static class SharedCountersExtensions
{
    public const string Seam = "counters";

    /// <summary>Registers <see cref="ISharedCounters"/>: Redis when <c>ConnectionStrings:redis</c> is set, otherwise in-process.</summary>
    public static IHostApplicationBuilder AddSharedCounters(this IHostApplicationBuilder builder)
    {
        var redis = builder.TryAddRedis();
        var backend = redis is null
            ? new StorageBackend(Seam, "in-process", "memory of this process")
            : new StorageBackend(Seam, "redis", redis.Endpoint);
        if (!builder.Services.TryRegisterSeam<CountersRegistration>(backend))
        {
            return builder;
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        if (redis is null)
        {
            builder.Services.AddSingleton<ISharedCounters, InProcessSharedCounters>();
            builder.Services.AddBackendHealthCheck<ISharedCounters>(backend, static (_, _) => Task.FromResult(true));
        }
        else
        {
            builder.Services.AddSingleton<ISharedCounters, RedisSharedCounters>();
            builder.Services.AddBackendHealthCheck<RedisConnection>(backend, static (connection, _) => connection.PingAsync());
        }

        return builder;
    }

    private sealed class CountersRegistration;
}
