using System.Collections.Concurrent;
using System.Text;
using Storage.Queue;

namespace Storage.Tests.Queue;

/// <summary>The delivery contract every <see cref="IMessageQueue"/> implementation must keep; run once per implementation.</summary>
public abstract class MessageQueueContract : IAsyncLifetime
{
    private static readonly TimeSpan Visibility = TimeSpan.FromMilliseconds(400);
    private SeamHost? _host;

    protected IMessageQueue Queue { get; private set; } = null!;

    /// <summary>A stream no other test uses (the Redis server is shared by the whole test assembly).</summary>
    protected string Stream { get; } = $"contract-{Guid.NewGuid():N}";

    protected abstract IDictionary<string, string?> BackendSettings();

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(BackendSettings())
        {
            ["Queue:VisibilityTimeout"] = Visibility.ToString(),
            ["Queue:MaxDeliveries"] = "3",
        };
        _host = await SeamHost.StartAsync(settings, b => b.AddMessageQueue());
        Queue = _host.Get<IMessageQueue>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static ReadOnlyMemory<byte> Body(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(QueueMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_are_delivered_once_each_in_publish_order()
    {
        for (var i = 0; i < 20; i++)
        {
            await Queue.PublishAsync(Stream, Body($"m{i}"), Cancel);
        }

        var received = await Queue.ReceiveAsync(Stream, "c1", 50, TimeSpan.FromSeconds(1), Cancel);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), received.Select(Text));
        Assert.All(received, m => Assert.Equal(1, m.DeliveryCount));
        Assert.Empty(await Queue.ReceiveAsync(Stream, "c1", 50, TimeSpan.Zero, Cancel));
    }

    [Fact]
    public async Task A_message_not_acknowledged_in_time_is_delivered_again_to_another_consumer()
    {
        await Queue.PublishAsync(Stream, Body("work"), Cancel);
        var first = Assert.Single(await Queue.ReceiveAsync(Stream, "dies-without-ack", 10, TimeSpan.FromSeconds(1), Cancel));

        var beforeTimeout = await Queue.ReceiveAsync(Stream, "survivor", 10, TimeSpan.Zero, Cancel);
        var again = Assert.Single(await Queue.ReceiveAsync(Stream, "survivor", 10, Visibility * 4, Cancel));

        Assert.Empty(beforeTimeout);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("work", Text(again));
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task An_acknowledged_message_is_never_delivered_again()
    {
        await Queue.PublishAsync(Stream, Body("done"), Cancel);
        var message = Assert.Single(await Queue.ReceiveAsync(Stream, "c1", 10, TimeSpan.FromSeconds(1), Cancel));

        await Queue.AcknowledgeAsync(Stream, [message.Id], Cancel);

        Assert.Empty(await Queue.ReceiveAsync(Stream, "c2", 10, Visibility * 2, Cancel));
    }

    [Fact]
    public async Task Messages_acknowledged_together_are_never_delivered_again_and_the_others_are()
    {
        foreach (var text in new[] { "one", "two", "three" })
        {
            await Queue.PublishAsync(Stream, Body(text), Cancel);
        }

        var received = await Queue.ReceiveAsync(Stream, "c1", 10, TimeSpan.FromSeconds(1), Cancel);
        Assert.Equal(3, received.Count);

        await Queue.AcknowledgeAsync(Stream, [received[0].Id, received[2].Id], Cancel);
        await Queue.AcknowledgeAsync(Stream, [], Cancel);

        var again = Assert.Single(await Queue.ReceiveAsync(Stream, "c2", 10, Visibility * 4, Cancel));
        Assert.Equal(received[1].Id, again.Id);
        Assert.Equal(Text(received[1]), Text(again));
    }

    [Fact]
    public async Task After_max_deliveries_a_message_moves_to_the_dead_letters()
    {
        await Queue.PublishAsync(Stream, Body("poison"), Cancel);
        var deliveries = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && (await Queue.ReadDeadLettersAsync(Stream, 10, Cancel)).Count == 0)
        {
            deliveries += (await Queue.ReceiveAsync(Stream, "crashes", 10, Visibility, Cancel)).Count;
        }

        var dead = Assert.Single(await Queue.ReadDeadLettersAsync(Stream, 10, Cancel));
        Assert.Equal("poison", Text(dead));
        Assert.Equal(3, dead.DeliveryCount);
        Assert.Equal(3, deliveries);
        Assert.Empty(await Queue.ReceiveAsync(Stream, "c", 10, Visibility * 2, Cancel));
    }

    [Fact]
    public async Task Receive_wakes_up_for_a_message_published_while_waiting()
    {
        var waiting = Queue.ReceiveAsync(Stream, "c1", 10, TimeSpan.FromSeconds(5), Cancel).AsTask();
        await Task.Delay(100, Cancel);

        await Queue.PublishAsync(Stream, Body("late"), Cancel);

        Assert.Equal("late", Text(Assert.Single(await waiting)));
    }

    [Fact]
    public async Task Receive_returns_empty_when_nothing_arrives_within_the_wait()
    {
        var started = DateTime.UtcNow;

        var received = await Queue.ReceiveAsync(Stream, "c1", 10, TimeSpan.FromMilliseconds(300), Cancel);

        Assert.Empty(received);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Competing_consumers_share_the_work_without_duplicates_or_loss()
    {
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            await Queue.PublishAsync(Stream, Body(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Cancel);
        }

        var seen = new ConcurrentBag<string>();
        async Task ConsumeAsync(string consumer)
        {
            while (true)
            {
                var batch = await Queue.ReceiveAsync(Stream, consumer, 7, TimeSpan.FromMilliseconds(200), Cancel);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var message in batch)
                {
                    seen.Add(Text(message));
                    await Queue.AcknowledgeAsync(Stream, [message.Id], Cancel);
                }
            }
        }

        await Task.WhenAll(ConsumeAsync("a"), ConsumeAsync("b"), ConsumeAsync("c"));

        Assert.Equal(count, seen.Count);
        Assert.Equal(count, seen.Distinct().Count());
    }
}

public sealed class InProcessMessageQueueTests : MessageQueueContract
{
    protected override IDictionary<string, string?> BackendSettings() => new Dictionary<string, string?>();
}

public sealed class RedisStreamMessageQueueTests(RedisServer redis) : MessageQueueContract
{
    protected override IDictionary<string, string?> BackendSettings() =>
        new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };
}
