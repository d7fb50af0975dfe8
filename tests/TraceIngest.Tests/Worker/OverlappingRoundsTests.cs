using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storage.Queue;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// The worker prepares the next round (load, read, merge, summaries) while the one before it is written. A round that
/// shares an entity or a trace with the one being written must read only after that write, so the merge gives what
/// rounds in turn give: the first event's identifying fields kept, the later round's fields on top. A disjoint round
/// does not wait. The write in flight is held open by the test, so both cases are decided, not raced.
/// </summary>
public sealed class OverlappingRoundsTests() : IngestServiceTest("overlap")
{
    private static readonly DateTime First = new(2026, 11, 20, 9, 30, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(500);

    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_round_sharing_an_entity_with_the_round_being_written_merges_onto_its_result_and_a_disjoint_one_does_not_wait()
    {
        var created = await BatchAsync(Trace("shared", "first", First, userId: "u-1", metadata: ("a", "1"), tag: "x"));
        var updated = await BatchAsync(Trace("shared", "second", First.AddMinutes(5), userId: null, metadata: ("b", "2"), tag: "y"));
        var other = await BatchAsync(Trace("other", "other", First, userId: "u-2", metadata: ("c", "3"), tag: "z"));
        var processor = HandRunProcessor.For(Host.Services);

        var first = await processor.PrepareAsync([created], writing: null, Cancellation);
        var firstWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = new RoundInFlight(first.Footprint, firstWritten.Task);

        var disjoint = await processor.PrepareAsync([other], inFlight, Cancellation).WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        var sharing = processor.PrepareAsync([updated], inFlight, Cancellation);
        await Task.Delay(Held, Cancellation);
        Assert.False(sharing.IsCompleted, "the round sharing an entity read before the round in flight was written");

        await processor.WriteAsync(first, Cancellation);
        firstWritten.SetResult();
        await processor.WriteAsync(await sharing.WaitAsync(TimeSpan.FromSeconds(30), Cancellation), Cancellation);
        await processor.WriteAsync(disjoint, Cancellation);

        var rows = await Host.Services.GetRequiredService<TraceRowStore>().ReadTracesAsync(ProjectId, ["shared", "other"], Cancellation);
        var shared = rows["shared"];
        Assert.Equal("second", shared.Name);
        Assert.Equal("u-1", shared.UserId);
        Assert.Equal(First, shared.Timestamp);
        Assert.Equal(["x", "y"], shared.Tags);
        Assert.Equal("1", shared.Metadata["a"]);
        Assert.Equal("2", shared.Metadata["b"]);
        Assert.Equal("other", rows["other"].Name);
    }

    [Fact]
    public async Task An_observation_of_a_trace_being_written_is_summarized_after_that_write()
    {
        var trace = await BatchAsync(Trace("summarized", "trace", First, userId: "u-3", metadata: ("a", "1"), tag: "x"));
        var generation = await BatchAsync(IngestionClient.Event("generation-create", new JsonObject
        {
            ["id"] = "g-summarized", ["traceId"] = "summarized", ["model"] = "gpt-4o", ["startTime"] = At(First),
            ["usageDetails"] = new JsonObject { ["input"] = 100, ["output"] = 10 },
        }));
        var processor = HandRunProcessor.For(Host.Services);

        var first = await processor.PrepareAsync([trace], writing: null, Cancellation);
        var firstWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sharing = processor.PrepareAsync([generation], new RoundInFlight(first.Footprint, firstWritten.Task), Cancellation);
        await Task.Delay(Held, Cancellation);
        Assert.False(sharing.IsCompleted, "the round observing a trace in flight summarized it before that trace was written");

        await processor.WriteAsync(first, Cancellation);
        firstWritten.SetResult();
        var second = await sharing.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        var summary = Assert.Single(second.Summaries, s => s.TraceId == "summarized");
        Assert.Equal(1UL, summary.Observations);
        Assert.Equal(110UL, summary.Tokens);
        Assert.Equal("u-3", summary.UserId);
    }

    [Fact]
    public async Task The_worker_writing_one_batch_per_round_folds_every_update_of_one_trace()
    {
        const int Updates = 20;
        for (var i = 0; i < Updates; i++)
        {
            using var response = await Client.PostBatchAsync(Trace("busy", $"n{i}", First.AddSeconds(i), userId: i == 0 ? "u-busy" : null, metadata: ($"k{i}", $"{i}"), tag: $"t{i % 3}"));
            Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        }

        // One batch a round, all queued before the first receive: each round is prepared while the one before it is written.
        using var worker = new IngestionWorker(
            Host.Services.GetRequiredService<IMessageQueue>(),
            HandRunProcessor.For(Host.Services),
            new IngestionWorkerProgress(TimeProvider.System),
            Host.Services.GetRequiredService<IOptions<IngestionOptions>>(),
            Options.Create(new IngestionWorkerOptions { MaxBatchesPerRound = 1, ReceiveWait = TimeSpan.FromMilliseconds(100) }),
            Host.Services.GetRequiredService<IOptions<QueueOptions>>(),
            Host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<IngestionWorker>());
        await worker.StartAsync(Cancellation);
        try
        {
            var rows = Host.Services.GetRequiredService<TraceRowStore>();
            var clock = Stopwatch.StartNew();
            TraceRow? busy;
            while ((busy = (await rows.ReadTracesAsync(ProjectId, ["busy"], Cancellation)).GetValueOrDefault("busy"))?.Name != $"n{Updates - 1}")
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the last update was not written within 60 s");
                await Task.Delay(50, Cancellation);
            }

            Assert.Equal(Enumerable.Range(0, Updates).Select(i => $"k{i}").Order(StringComparer.Ordinal), busy.Metadata.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("u-busy", busy.UserId);
            Assert.Equal(First, busy.Timestamp);
            Assert.Equal(["t0", "t1", "t2"], busy.Tags);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    private static string At(DateTime time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static JsonObject Trace(string id, string name, DateTime timestamp, string? userId, (string Key, string Value) metadata, string tag) =>
        IngestionClient.Event("trace-create", new JsonObject
        {
            ["id"] = id, ["name"] = name, ["timestamp"] = At(timestamp), ["userId"] = userId,
            ["metadata"] = new JsonObject { [metadata.Key] = metadata.Value }, ["tags"] = new JsonArray(tag),
        });

    private async Task<IngestionBatchReference> BatchAsync(JsonNode @event)
    {
        using var response = await Client.PostBatchAsync(@event);
        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        return Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(2)));
    }
}
