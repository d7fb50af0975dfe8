using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Storage.Invalidation;
using Storage.Redis;

namespace Storage.Counters;

public static class SharedCountersExtensions
{
    public const string Seam = "counters";

    /// <summary>
    /// Service key of the in-process <see cref="ISharedCounters"/> and <see cref="IDeltaBuffer"/> every host also
    /// gets: what a caller may fall back to, per replica, while Redis is unreachable.
    /// </summary>
    public const string LocalFallback = "local";

    /// <summary>
    /// Registers <see cref="ISharedCounters"/>, <see cref="IDeltaBuffer"/> and <see cref="IInvalidationChannel"/>:
    /// Redis (with <see cref="ILeasedCounters"/>) when <c>ConnectionStrings:redis</c> is set, otherwise in-process.
    /// </summary>
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

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddKeyedSingleton<ISharedCounters>(LocalFallback, (provider, _) => new InProcessSharedCounters(provider.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IDeltaBuffer>(LocalFallback, (_, _) => new InProcessDeltaBuffer());
        if (redis is null)
        {
            services.AddSingleton<ISharedCounters, InProcessSharedCounters>();
            services.AddSingleton<IDeltaBuffer, InProcessDeltaBuffer>();
            services.AddSingleton<IInvalidationChannel, InProcessInvalidationChannel>();
            services.AddBackendHealthCheck<ISharedCounters>(backend, static (_, _) => Task.FromResult(true));
        }
        else
        {
            services.AddSingleton<RedisSharedCounters>();
            services.AddSingleton<ISharedCounters>(provider => provider.GetRequiredService<RedisSharedCounters>());
            services.AddSingleton<ILeasedCounters>(provider => provider.GetRequiredService<RedisSharedCounters>());
            services.AddSingleton<IDeltaBuffer, RedisDeltaBuffer>();
            services.AddSingleton<IInvalidationChannel, RedisInvalidationChannel>();
            services.AddBackendHealthCheck<RedisConnection>(backend, static (connection, _) => connection.PingAsync());
        }

        return builder;
    }

    private sealed class CountersRegistration;
}
