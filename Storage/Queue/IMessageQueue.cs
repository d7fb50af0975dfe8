namespace Storage.Queue;

/// <summary>
/// At-least-once delivery of small reference messages to a pool of consumers. A received message that is not
/// acknowledged within the visibility timeout is delivered again (to any consumer); after
/// <see cref="QueueOptions.MaxDeliveries"/> deliveries it moves to the stream's dead letters instead.
/// Consumers must therefore be idempotent.
/// </summary>
public interface IMessageQueue
{
    ValueTask<string> PublishAsync(string stream, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxMessages"/> messages, waiting at most <paramref name="wait"/> when none is ready.</summary>
    ValueTask<IReadOnlyList<QueueMessage>> ReceiveAsync(string stream, string consumer, int maxMessages, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Marks the messages done, all in one call: none of them is delivered again.</summary>
    ValueTask AcknowledgeAsync(string stream, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Messages given up on after too many deliveries, oldest first.</summary>
    ValueTask<IReadOnlyList<QueueMessage>> ReadDeadLettersAsync(string stream, int maxMessages, CancellationToken cancellationToken);
}

/// <param name="DeliveryCount">1 on first delivery, then one more for every redelivery.</param>
public sealed record QueueMessage(string Id, ReadOnlyMemory<byte> Body, int DeliveryCount);
