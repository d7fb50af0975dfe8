using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storage.TraceStore;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// On a store private to its process the worker reads stored rows only for entities the store may hold
/// (<see cref="StoredEntityIds"/>): a round of new entities reads nothing, while an update in a later round, or after
/// a restart, still finds and merges onto the row an earlier round wrote.
/// </summary>
public sealed class StoredEntityLookupTests() : IngestServiceTest("lookups")
{
    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_round_of_new_entities_looks_nothing_up_and_a_later_update_merges_onto_the_stored_row()
    {
        Assert.True(Host.Services.GetRequiredService<ClickHouseTraceStore>().IsPrivateToProcess);
        var processor = HandRunProcessor.For(Host.Services);

        var created = await processor.PrepareAsync([await BatchAsync(
            Event("trace-create", new JsonObject { ["id"] = "t-1", ["name"] = "first", ["userId"] = "u-1" }),
            Event("generation-create", new JsonObject { ["id"] = "g-1", ["traceId"] = "t-1", ["model"] = "gpt-4o", ["usageDetails"] = new JsonObject { ["input"] = 100 } }),
            Event("score-create", new JsonObject { ["id"] = "s-1", ["traceId"] = "t-1", ["name"] = "quality", ["value"] = 1 }))], writing: null, Cancellation);
        Assert.All(created.LookedUp.Values, ids => Assert.Equal(0, ids));
        await processor.WriteAsync(created, Cancellation);

        var updated = await processor.PrepareAsync([await BatchAsync(
            Event("trace-create", new JsonObject { ["id"] = "t-1", ["name"] = "second" }),
            Event("generation-update", new JsonObject { ["id"] = "g-1", ["traceId"] = "t-1", ["usageDetails"] = new JsonObject { ["output"] = 10 } }),
            Event("trace-create", new JsonObject { ["id"] = "t-2", ["name"] = "new" }))], writing: null, Cancellation);
        Assert.Equal(1, updated.LookedUp[StoredIdKind.Trace]);
        Assert.Equal(1, updated.LookedUp[StoredIdKind.Observation]);
        Assert.Equal(1, updated.LookedUp[StoredIdKind.TraceWithObservations]);
        await processor.WriteAsync(updated, Cancellation);

        var rows = Host.Services.GetRequiredService<TraceRowStore>();
        var trace = (await rows.ReadTracesAsync(ProjectId, ["t-1"], Cancellation))["t-1"];
        Assert.Equal(("second", "u-1"), (trace.Name, trace.UserId));
        var generation = (await rows.ReadObservationsAsync(ProjectId, ["g-1"], Cancellation))["g-1"];
        Assert.Equal((100UL, 10UL), (generation.UsageDetails["input"], generation.UsageDetails["output"]));
        var summary = Assert.Single(updated.Summaries, s => s.TraceId == "t-1");
        Assert.Equal(110UL, summary.Tokens);
    }

    [Fact]
    public async Task A_restarted_worker_loads_the_stored_ids_and_merges_an_update_onto_a_row_written_before_it_started()
    {
        var before = HandRunProcessor.For(Host.Services);
        await before.ProcessAsync([await BatchAsync(
            Event("trace-create", new JsonObject { ["id"] = "t-old", ["name"] = "first", ["userId"] = "u-old" }),
            Event("span-create", new JsonObject { ["id"] = "o-old", ["traceId"] = "t-old", ["name"] = "step" }),
            Event("score-create", new JsonObject { ["id"] = "s-old", ["traceId"] = "t-old", ["name"] = "quality", ["value"] = 1 }))], Cancellation);

        // A new process: its ids come from the store, not from the rounds it wrote.
        var restarted = ActivatorUtilities.CreateInstance<StoredEntityIds>(Host.Services);
        await restarted.LoadAsync(Cancellation);
        Assert.True(restarted.MayHold(StoredIdKind.Trace, ProjectId, "t-old"));
        Assert.True(restarted.MayHold(StoredIdKind.Observation, ProjectId, "o-old"));
        Assert.True(restarted.MayHold(StoredIdKind.TraceWithObservations, ProjectId, "t-old"));
        Assert.True(restarted.MayHold(StoredIdKind.Score, ProjectId, "s-old"));
        Assert.False(restarted.MayHold(StoredIdKind.Trace, "another-project", "t-old"));
        Assert.False(restarted.MayHold(StoredIdKind.Observation, ProjectId, "t-old"));
        // "Maybe" for an id never written is a Bloom filter's false positive: rare, and only a read.
        Assert.True(Enumerable.Range(0, 10_000).Count(i => restarted.MayHold(StoredIdKind.Trace, ProjectId, $"never-{i}")) < 100);

        var processor = HandRunProcessor.For(new RestartedServices(Host.Services, restarted));
        var update = await processor.PrepareAsync([await BatchAsync(Event("trace-create", new JsonObject { ["id"] = "t-old", ["name"] = "second" }))], writing: null, Cancellation);
        Assert.Equal(1, update.LookedUp[StoredIdKind.Trace]);
        await processor.WriteAsync(update, Cancellation);

        var trace = (await Host.Services.GetRequiredService<TraceRowStore>().ReadTracesAsync(ProjectId, ["t-old"], Cancellation))["t-old"];
        Assert.Equal(("second", "u-old"), (trace.Name, trace.UserId));
        Assert.Equal(1UL, Assert.Single(update.Summaries).Observations);
    }

    private static JsonObject Event(string type, JsonObject body) => IngestionClient.Event(type, body);

    private async Task<IngestionBatchReference> BatchAsync(params JsonNode[] events)
    {
        using var response = await Client.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        return Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(2)));
    }

    /// <summary>The host's services with another process's stored ids: what a restarted worker would have.</summary>
    private sealed class RestartedServices(IServiceProvider host, StoredEntityIds ids) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(StoredEntityIds) ? ids : host.GetService(serviceType);
    }
}
