using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Storage.Queue;

/// <summary>
/// The embedded queue: the same delivery contract as the Redis Streams queue, inside one process. Messages
/// live in memory; the pipeline's durability comes from the blob store, written before a message is published.
/// </summary>
internal sealed class InProcessMessageQueue(IOptions<QueueOptions> options, TimeProvider clock) : IMessageQueue
{
    private readonly QueueOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, StreamState> _streams = new(StringComparer.Ordinal);

    public ValueTask<string> PublishAsync(string stream, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var state = State(stream);
        string id;
        lock (state.Gate)
        {
            id = (++state.LastId).ToString(CultureInfo.InvariantCulture);
            state.Ready.Enqueue(new QueueMessage(id, body.ToArray(), DeliveryCount: 0));
        }

        state.Wake();
        return ValueTask.FromResult(id);
    }

    public async ValueTask<IReadOnlyList<QueueMessage>> ReceiveAsync(string stream, string consumer, int maxMessages, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        var state = State(stream);
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var now = clock.GetUtcNow();
            TimeSpan untilNextExpiry;
            var taken = new List<QueueMessage>();
            lock (state.Gate)
            {
                untilNextExpiry = ReclaimExpired(state, now);
                while (taken.Count < maxMessages && state.Ready.TryDequeue(out var message))
                {
                    var delivered = message with { DeliveryCount = message.DeliveryCount + 1 };
                    state.InFlight[delivered.Id] = new InFlight(delivered, now);
                    taken.Add(delivered);
                }
            }

            var remaining = deadline - now;
            if (taken.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return taken;
            }

            await state.WaitAsync(Min(remaining, untilNextExpiry), cancellationToken);
        }
    }

    public ValueTask AcknowledgeAsync(string stream, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var state = State(stream);
        lock (state.Gate)
        {
            foreach (var messageId in messageIds)
            {
                state.InFlight.Remove(messageId);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<QueueMessage>> ReadDeadLettersAsync(string stream, int maxMessages, CancellationToken cancellationToken)
    {
        var state = State(stream);
        lock (state.Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<QueueMessage>>(state.Dead.Take(maxMessages).ToList());
        }
    }

    /// <summary>Puts messages whose visibility timeout ran out back at the head of the line (or into the dead letters).</summary>
    private TimeSpan ReclaimExpired(StreamState state, DateTimeOffset now)
    {
        var nextExpiry = TimeSpan.MaxValue;
        List<QueueMessage>? expired = null;
        foreach (var (id, inFlight) in state.InFlight)
        {
            var expiresIn = inFlight.DeliveredAt + _options.VisibilityTimeout - now;
            if (expiresIn <= TimeSpan.Zero)
            {
                (expired ??= []).Add(inFlight.Message);
            }
            else if (expiresIn < nextExpiry)
            {
                nextExpiry = expiresIn;
            }
        }

        if (expired is null)
        {
            return nextExpiry;
        }

        var requeued = new Queue<QueueMessage>();
        foreach (var message in expired.OrderBy(m => long.Parse(m.Id, CultureInfo.InvariantCulture)))
        {
            state.InFlight.Remove(message.Id);
            if (message.DeliveryCount >= _options.MaxDeliveries)
            {
                state.Dead.Add(message);
            }
            else
            {
                requeued.Enqueue(message);
            }
        }

        foreach (var message in state.Ready)
        {
            requeued.Enqueue(message);
        }

        state.Ready = requeued;
        return TimeSpan.Zero;
    }

    private StreamState State(string stream) => _streams.GetOrAdd(stream, static _ => new StreamState());

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed record InFlight(QueueMessage Message, DateTimeOffset DeliveredAt);

    private sealed class StreamState
    {
        private readonly SemaphoreSlim _signal = new(0);

        public Lock Gate { get; } = new();
        public long LastId { get; set; }
        public Queue<QueueMessage> Ready { get; set; } = new();
        public Dictionary<string, InFlight> InFlight { get; } = new(StringComparer.Ordinal);
        public List<QueueMessage> Dead { get; } = [];

        public void Wake()
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }

        public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
            _signal.WaitAsync(timeout == TimeSpan.MaxValue ? Timeout.InfiniteTimeSpan : timeout, cancellationToken);
    }
}
