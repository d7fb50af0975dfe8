using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Storage.Redis;

internal static class RedisRegistration
{
    /// <summary>Aspire connection name of Redis (<c>ConnectionStrings:redis</c>).</summary>
    public const string ConnectionName = "redis";

    /// <summary>The shared connection when Redis is configured (registering it once), otherwise null.</summary>
    public static RedisConnection? TryAddRedis(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var existing = builder.Services.FirstOrDefault(d => d.ServiceType == typeof(RedisConnection))?.ImplementationInstance as RedisConnection;
        if (existing is not null)
        {
            return existing;
        }

        var connection = new RedisConnection(connectionString);
        builder.Services.TryAddSingleton(connection);
        return connection;
    }
}
