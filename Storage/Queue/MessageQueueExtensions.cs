using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Storage.Redis;

namespace Storage.Queue;

public static class MessageQueueExtensions
{
    public const string Seam = "queue";

    /// <summary>Registers <see cref="IMessageQueue"/>: Redis Streams when <c>ConnectionStrings:redis</c> is set, otherwise in-process.</summary>
    public static IHostApplicationBuilder AddMessageQueue(this IHostApplicationBuilder builder)
    {
        var redis = builder.TryAddRedis();
        var backend = redis is null
            ? new StorageBackend(Seam, "in-process", "memory of this process")
            : new StorageBackend(Seam, "redis", redis.Endpoint);
        if (!builder.Services.TryRegisterSeam<QueueRegistration>(backend))
        {
            return builder;
        }

        builder.Services.AddOptions<QueueOptions>()
            .Bind(builder.Configuration.GetSection(QueueOptions.SectionName))
            .Validate(o => o.VisibilityTimeout > TimeSpan.Zero, "Queue:VisibilityTimeout must be positive.")
            .Validate(o => o.MaxDeliveries >= 1, "Queue:MaxDeliveries must be at least 1.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConsumerGroup), "Queue:ConsumerGroup must not be empty.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        if (redis is null)
        {
            builder.Services.AddSingleton<IMessageQueue, InProcessMessageQueue>();
            builder.Services.AddBackendHealthCheck<IMessageQueue>(backend, static (_, _) => Task.FromResult(true));
        }
        else
        {
            builder.Services.AddSingleton<IMessageQueue, RedisStreamMessageQueue>();
            builder.Services.AddBackendHealthCheck<RedisConnection>(backend, static (connection, _) => connection.PingAsync());
        }

        return builder;
    }

    private sealed class QueueRegistration;
}
