using Storage.Counters;
using Storage.Invalidation;

namespace Storage.Tests.Counters;

/// <summary>The contract of <see cref="IDeltaBuffer"/> and <see cref="IInvalidationChannel"/>, run once per implementation.</summary>
public abstract class DeltaBufferContract : IAsyncLifetime
{
    private SeamHost? _host;

    protected abstract IDictionary<string, string?> BackendSettings();

    protected IDeltaBuffer Buffer { get; private set; } = null!;

    private protected SeamHost Host => _host!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await SeamHost.StartAsync(BackendSettings(), b => b.AddSharedCounters());
        Buffer = _host.Get<IDeltaBuffer>();
        // The Redis buffer is shared by the whole test assembly: start from an empty one.
        while (await Buffer.TakeAsync(Cancel) is { } leftover)
        {
            await Buffer.CompleteAsync(leftover.Id, Cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Concurrent_deltas_are_summed_exactly_and_taken_once()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Buffer.AddAsync([new("spend", 5), new(i % 2 == 0 ? "even" : "odd", 1)], Cancel).AsTask()));

        var batch = await Buffer.TakeAsync(Cancel);

        Assert.NotNull(batch);
        Assert.Equal(1_000, batch.Deltas["spend"]);
        Assert.Equal(100, batch.Deltas["even"]);
        Assert.Equal(100, batch.Deltas["odd"]);
        await Buffer.CompleteAsync(batch.Id, Cancel);
        Assert.Null(await Buffer.TakeAsync(Cancel));
    }

    [Fact]
    public async Task A_batch_not_completed_is_handed_out_again_and_later_deltas_wait_for_the_next()
    {
        await Buffer.AddAsync([new("a", 1)], Cancel);
        var first = await Buffer.TakeAsync(Cancel);
        await Buffer.AddAsync([new("a", 10)], Cancel);

        var again = await Buffer.TakeAsync(Cancel);
        await Buffer.CompleteAsync("some-other-batch", Cancel);
        var stillThere = await Buffer.TakeAsync(Cancel);
        await Buffer.CompleteAsync(first!.Id, Cancel);
        var next = await Buffer.TakeAsync(Cancel);

        Assert.Equal(first.Id, again!.Id);
        Assert.Equal(1, again.Deltas["a"]);
        Assert.Equal(first.Id, stillThere!.Id);
        Assert.NotEqual(first.Id, next!.Id);
        Assert.Equal(10, next.Deltas["a"]);
        await Buffer.CompleteAsync(next.Id, Cancel);
    }
}

public sealed class InProcessDeltaBufferTests : DeltaBufferContract
{
    protected override IDictionary<string, string?> BackendSettings() => new Dictionary<string, string?>();

    [Fact]
    public async Task The_embedded_channel_calls_subscribers_at_once()
    {
        var heard = new List<string>();
        var channel = Host.Get<IInvalidationChannel>();
        await channel.SubscribeAsync(heard.Add, () => { }, TestContext.Current.CancellationToken);

        await channel.PublishAsync("team:t1", TestContext.Current.CancellationToken);

        Assert.Equal(["team:t1"], heard);
    }
}

[Collection(RedisBufferCollection.Name)]
public sealed class RedisDeltaBufferTests(RedisServer redis) : DeltaBufferContract
{
    protected override IDictionary<string, string?> BackendSettings() =>
        new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };

    [Fact]
    public async Task An_invalidation_reaches_every_replica()
    {
        await using var other = await SeamHost.StartAsync(BackendSettings(), b => b.AddSharedCounters());
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = $"key:{Guid.NewGuid():N}";
        await other.Get<IInvalidationChannel>().SubscribeAsync(e => { if (e == entry) heard.TrySetResult(e); }, () => { }, TestContext.Current.CancellationToken);

        await Host.Get<IInvalidationChannel>().PublishAsync(entry, TestContext.Current.CancellationToken);

        Assert.Equal(entry, await heard.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }
}

/// <summary>The Redis buffer is one per server: its tests must not run beside each other.</summary>
[CollectionDefinition(Name)]
public sealed class RedisBufferCollection
{
    public const string Name = "redis delta buffer";
}
