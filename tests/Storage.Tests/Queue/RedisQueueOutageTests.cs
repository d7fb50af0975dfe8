using System.Diagnostics;
using System.Text;
using Storage.Queue;

namespace Storage.Tests.Queue;

/// <summary>A Redis of its own, killed and restarted: the shared one serves other tests in parallel.</summary>
public sealed class RedisQueueOutageTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private SeamHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        _host = await SeamHost.StartAsync(
            new Dictionary<string, string?> { ["ConnectionStrings:redis"] = _redis.ConnectionString },
            b => b.AddMessageQueue());
    }

    [Fact]
    public async Task Killed_redis_gives_a_clear_error_quickly_and_the_queue_recovers_when_it_returns()
    {
        var queue = _host.Get<IMessageQueue>();
        var cancel = TestContext.Current.CancellationToken;
        await queue.PublishAsync("outage", Encoding.UTF8.GetBytes("before"), cancel);

        await _redis.StopAsync();
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => queue.PublishAsync("outage", Encoding.UTF8.GetBytes("during"), cancel).AsTask());
        var failedAfter = clock.Elapsed;

        await _redis.StartAsync();
        string? id = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (id is null && DateTime.UtcNow < deadline)
        {
            try
            {
                id = await queue.PublishAsync("outage", Encoding.UTF8.GetBytes("after"), cancel);
            }
            catch (StorageUnavailableException)
            {
                await Task.Delay(200, cancel);
            }
        }

        var received = await queue.ReceiveAsync("outage", "c", 10, TimeSpan.FromSeconds(5), cancel);

        Assert.Equal(("queue", "redis"), (failure.Seam, failure.Implementation));
        Assert.Contains($"127.0.0.1:{_redis.Port}", failure.Message, StringComparison.Ordinal);
        Assert.True(failedAfter < TimeSpan.FromSeconds(10), $"failing took {failedAfter}");
        Assert.NotNull(id);
        Assert.Contains(received, m => Encoding.UTF8.GetString(m.Body.Span) == "after");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
