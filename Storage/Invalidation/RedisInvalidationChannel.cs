using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Invalidation;

/// <summary>
/// The distributed channel: Redis pub/sub. A replica whose subscription connection drops may miss messages, so when
/// it is restored every subscriber is reset.
/// </summary>
internal sealed class RedisInvalidationChannel(RedisConnection redis) : IInvalidationChannel
{
    private const string Seam = "counters";
    private static readonly RedisChannel Channel = RedisChannel.Literal("platform:cache-invalidation");

    public async ValueTask PublishAsync(string entry, CancellationToken cancellationToken) =>
        await redis.CallAsync(Seam, async db => await db.Multiplexer.GetSubscriber().PublishAsync(Channel, entry));

    public async ValueTask SubscribeAsync(Action<string> onInvalidated, Action onReset, CancellationToken cancellationToken)
    {
        var multiplexer = await redis.MultiplexerAsync();
        multiplexer.ConnectionRestored += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription)
            {
                onReset();
            }
        };
        multiplexer.ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription)
            {
                onReset();
            }
        };

        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(Channel, (_, message) => onInvalidated(message.ToString()));
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            // The multiplexer subscribes again when the connection comes back; until then entries expire by age.
            onReset();
        }
    }
}
