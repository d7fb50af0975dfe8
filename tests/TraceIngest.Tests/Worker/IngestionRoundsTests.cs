using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

public sealed class IngestionRoundsTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static IngestionBatchReference[] Batches(params (int Events, long Bytes)[] sizes) =>
        [.. sizes.Select((s, i) => new IngestionBatchReference("p", $"b{i}", s.Events, Received, s.Bytes))];

    private static string[][] Rounds(IngestionBatchReference[] batches, int maxEvents, long maxBytes) =>
        [.. IngestionRounds.Split(batches, b => b, maxEvents, maxBytes).Select(r => r.Select(b => b.BlobKey).ToArray())];

    [Fact]
    public void Rounds_keep_the_order_and_stay_within_the_event_bound()
    {
        var rounds = Rounds(Batches((40, 1), (40, 1), (30, 1), (50, 1), (100, 1), (1, 1)), maxEvents: 100, maxBytes: 1000);

        Assert.Equal([["b0", "b1"], ["b2", "b3"], ["b4"], ["b5"]], rounds);
    }

    [Fact]
    public void Rounds_stay_within_the_byte_bound()
    {
        var rounds = Rounds(Batches((1, 600), (1, 400), (1, 1), (1, 999)), maxEvents: 100, maxBytes: 1000);

        Assert.Equal([["b0", "b1"], ["b2", "b3"]], rounds);
    }

    [Fact]
    public void A_batch_over_a_bound_makes_a_round_alone_and_nothing_is_dropped()
    {
        var rounds = Rounds(Batches((5, 10), (500, 10), (5, 5000), (5, 10)), maxEvents: 100, maxBytes: 1000);

        Assert.Equal([["b0"], ["b1"], ["b2"], ["b3"]], rounds);
    }

    [Fact]
    public void References_queued_without_a_size_are_bounded_by_events_only()
    {
        var rounds = Rounds(Batches((10, 0), (10, 0), (10, 0)), maxEvents: 20, maxBytes: 1);

        Assert.Equal([["b0", "b1"], ["b2"]], rounds);
    }

    [Fact]
    public void No_batches_make_no_rounds() => Assert.Empty(Rounds([], 10, 10));
}
