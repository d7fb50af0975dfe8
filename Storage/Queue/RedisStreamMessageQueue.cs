using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Queue;

/// <summary>
/// The distributed queue: one Redis stream per queue and one consumer group for its workers. New messages are
/// read with XREADGROUP; messages left unacknowledged past the visibility timeout are taken over with
/// XAUTOCLAIM (which counts deliveries), and moved to <c>{stream}:dead</c> once they exceed the limit.
/// Acknowledged messages are deleted, so the stream holds only work not yet done.
/// </summary>
internal sealed class RedisStreamMessageQueue(RedisConnection redis, IOptions<QueueOptions> options, TimeProvider clock) : IMessageQueue
{
    private const string Seam = "queue";
    private const string BodyField = "body";
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(200);

    private readonly QueueOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Task> _groups = new(StringComparer.Ordinal);

    public async ValueTask<string> PublishAsync(string stream, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var id = await redis.CallAsync(Seam, db => db.StreamAddAsync(Key(stream), BodyField, body));
        return id.ToString();
    }

    public async ValueTask<IReadOnlyList<QueueMessage>> ReceiveAsync(string stream, string consumer, int maxMessages, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        await EnsureGroupAsync(stream);
        var deadline = clock.GetUtcNow() + wait;
        var poll = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var received = await ReclaimAsync(stream, consumer, maxMessages);
            if (received.Count < maxMessages)
            {
                var fresh = await redis.CallAsync(Seam, db => db.StreamReadGroupAsync(Key(stream), _options.ConsumerGroup, consumer, StreamPosition.NewMessages, maxMessages - received.Count));
                received.AddRange(fresh.Where(e => !e.IsNull).Select(e => new QueueMessage(e.Id.ToString(), (byte[])e[BodyField]!, DeliveryCount: 1)));
            }

            var remaining = deadline - clock.GetUtcNow();
            if (received.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return received;
            }

            // StackExchange.Redis multiplexes one connection, so it never blocks on XREADGROUP; poll with backoff.
            await Task.Delay(poll < remaining ? poll : remaining, clock, cancellationToken);
            poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
        }
    }

    public async ValueTask AcknowledgeAsync(string stream, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
        {
            return;
        }

        // One XACK and one XDEL for all of them: a worker's round acknowledges hundreds of messages at once.
        RedisValue[] ids = [.. messageIds.Select(id => (RedisValue)id)];
        await redis.CallAsync(Seam, async db =>
        {
            var transaction = db.CreateTransaction();
            _ = transaction.StreamAcknowledgeAsync(Key(stream), _options.ConsumerGroup, ids);
            _ = transaction.StreamDeleteAsync(Key(stream), ids);
            return await transaction.ExecuteAsync();
        });
    }

    public async ValueTask<IReadOnlyList<QueueMessage>> ReadDeadLettersAsync(string stream, int maxMessages, CancellationToken cancellationToken)
    {
        var entries = await redis.CallAsync(Seam, db => db.StreamRangeAsync(DeadKey(stream), "-", "+", maxMessages));
        return entries.Select(e => new QueueMessage((string)e["id"]!, (byte[])e[BodyField]!, (int)e["deliveries"])).ToList();
    }

    private async Task<List<QueueMessage>> ReclaimAsync(string stream, string consumer, int maxMessages)
    {
        var claimed = await redis.CallAsync(Seam, db => db.StreamAutoClaimAsync(
            Key(stream), _options.ConsumerGroup, consumer, (long)_options.VisibilityTimeout.TotalMilliseconds, "0-0", maxMessages));
        var entries = claimed.ClaimedEntries.Where(e => !e.IsNull).ToList();
        var result = new List<QueueMessage>(entries.Count);
        if (entries.Count == 0)
        {
            return result;
        }

        var pending = await redis.CallAsync(Seam, db => db.StreamPendingMessagesAsync(
            Key(stream), _options.ConsumerGroup, entries.Count, consumer, entries[0].Id, entries[^1].Id));
        var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = entry.Id.ToString();
            var count = deliveries.GetValueOrDefault(id, _options.MaxDeliveries + 1);
            var body = (byte[])entry[BodyField]!;
            if (count > _options.MaxDeliveries)
            {
                await DeadLetterAsync(stream, id, body, count - 1);
            }
            else
            {
                result.Add(new QueueMessage(id, body, count));
            }
        }

        return result;
    }

    private Task<bool> DeadLetterAsync(string stream, string id, byte[] body, int deliveries) =>
        redis.CallAsync(Seam, async db =>
        {
            var transaction = db.CreateTransaction();
            _ = transaction.StreamAddAsync(DeadKey(stream), [new NameValueEntry("id", id), new NameValueEntry(BodyField, body), new NameValueEntry("deliveries", deliveries)]);
            _ = transaction.StreamAcknowledgeAsync(Key(stream), _options.ConsumerGroup, id);
            _ = transaction.StreamDeleteAsync(Key(stream), [id]);
            return await transaction.ExecuteAsync();
        });

    private Task EnsureGroupAsync(string stream)
    {
        var ensured = _groups.GetOrAdd(stream, CreateGroupAsync);
        if (ensured.IsFaulted)
        {
            // A failed attempt (Redis was down) is retried on the next call instead of being remembered.
            _groups.TryRemove(new KeyValuePair<string, Task>(stream, ensured));
        }

        return ensured;
    }

    private async Task CreateGroupAsync(string stream)
    {
        try
        {
            // From the start of the stream: messages published before the first worker started are not skipped.
            await redis.CallAsync(Seam, db => db.StreamCreateConsumerGroupAsync(Key(stream), _options.ConsumerGroup, StreamPosition.Beginning, createStream: true));
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    private static RedisKey Key(string stream) => $"queue:{stream}";

    private static RedisKey DeadKey(string stream) => $"queue:{stream}:dead";
}
