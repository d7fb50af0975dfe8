using System.Globalization;
using System.Text.Json.Nodes;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Microsoft.Extensions.DependencyInjection;
using Storage.TraceStore;
using Storage.TraceStore.Summaries;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// The embedded store's worker computes trace summaries in process, from its merged rows and the stored versions of
/// the traces' other observations. Whatever order the batches come in (observations before their trace, updates
/// before creates, a level or an end time going down, redelivery), each summary must equal the one the server's
/// full recompute (<see cref="TraceSummaryWriter"/>) makes from the same rows.
/// </summary>
public sealed class InProcessTraceSummaryTests() : IngestServiceTest("summaries")
{
    private static readonly DateTime Start = new(2026, 11, 20, 9, 30, 0, 123, DateTimeKind.Utc);

    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ClickHouseTraceStore Store => Host.Services.GetRequiredService<ClickHouseTraceStore>();

    public static TheoryData<string, int[][]> Orderings => new()
    {
        { "a", [[0], [1], [2], [3], [4]] },
        { "b", [[4], [3], [2], [1], [0]] },
        { "c", [[1, 0], [3], [2, 4]] },
        { "d", [[0, 1, 2, 3, 4]] },
        { "e", [[2], [0], [4], [1], [3], [0, 1, 2, 3, 4], [3]] },
    };

    [Theory]
    [MemberData(nameof(Orderings))]
    public async Task In_process_summaries_equal_the_full_recompute_in_any_batch_order(string prefix, int[][] rounds)
    {
        Assert.True(Store.IsPrivateToProcess, "the embedded store of one process computes summaries in process");
        var batches = new List<IngestionBatchReference>();
        foreach (var events in Batches(prefix))
        {
            using var response = await Client.PostBatchAsync(events);
            Assert.Equal(System.Net.HttpStatusCode.MultiStatus, response.StatusCode);
            batches.Add(Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(2))));
        }

        var processor = Processor();
        var traceIds = new[] { $"{prefix}-t1", $"{prefix}-t2", $"{prefix}-t3" };
        foreach (var round in rounds)
        {
            await processor.ProcessAsync(round.Select(i => batches[i]).ToList(), Cancellation);
            var inProcess = await LatestSummariesAsync(traceIds);
            await Host.Services.GetRequiredService<TraceSummaryWriter>().RecomputeAsync(ProjectId, traceIds, Cancellation);
            Assert.Equal(await LatestSummariesAsync(traceIds), inProcess);
        }

        // The trace without observations has zeros; the observations without a trace row have no summary.
        var summaries = await LatestSummariesAsync(traceIds);
        Assert.Equal(2, summaries.Count);
        Assert.StartsWith($"{prefix}-t2 ", summaries[1], StringComparison.Ordinal);
        Assert.EndsWith(" 0 0 0 0 0 0 0 0", summaries[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// Trace t1 with a generation, a span and an event whose levels and end times go up and then down; t2 with no
    /// observations; an observation of t3, which never gets a trace row.
    /// </summary>
    private static List<JsonNode[]> Batches(string prefix)
    {
        string Id(string name) => $"{prefix}-{name}";
        string At(double seconds) => Start.AddSeconds(seconds).ToString("O", CultureInfo.InvariantCulture);
        return
        [
            [
                IngestionClient.Event("generation-create", new JsonObject
                {
                    ["id"] = Id("g1"), ["traceId"] = Id("t1"), ["model"] = "gpt-4o", ["startTime"] = At(0.0004), ["endTime"] = At(2),
                    ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 200 },
                }),
                IngestionClient.Event("span-create", new JsonObject { ["id"] = Id("s1"), ["traceId"] = Id("t1"), ["startTime"] = At(1), ["level"] = "DEBUG" }),
                IngestionClient.Event("span-create", new JsonObject { ["id"] = Id("s3"), ["traceId"] = Id("t3"), ["startTime"] = At(1) }),
            ],
            [
                IngestionClient.Event("trace-create", new JsonObject { ["id"] = Id("t1"), ["userId"] = "alice", ["sessionId"] = "s-1", ["timestamp"] = At(0) }),
                IngestionClient.Event("trace-create", new JsonObject { ["id"] = Id("t2"), ["userId"] = "carol", ["timestamp"] = At(5) }),
            ],
            [
                IngestionClient.Event("generation-update", new JsonObject
                {
                    ["id"] = Id("g1"), ["traceId"] = Id("t1"), ["endTime"] = At(9.5), ["level"] = "ERROR",
                    ["usageDetails"] = new JsonObject { ["input"] = 3000, ["output"] = 700, ["total"] = 3900 },
                    ["costDetails"] = new JsonObject { ["total"] = 0.1 },
                }),
                IngestionClient.Event("event-create", new JsonObject { ["id"] = Id("e1"), ["traceId"] = Id("t1"), ["startTime"] = At(7), ["level"] = "WARNING" }),
            ],
            [
                IngestionClient.Event("generation-update", new JsonObject { ["id"] = Id("g1"), ["traceId"] = Id("t1"), ["endTime"] = At(1.5), ["level"] = "DEFAULT" }),
                IngestionClient.Event("span-update", new JsonObject
                {
                    ["id"] = Id("s1"), ["traceId"] = Id("t1"), ["endTime"] = At(3), ["usageDetails"] = new JsonObject { ["input"] = 5 },
                    ["costDetails"] = new JsonObject { ["total"] = 0.2 },
                }),
            ],
            [
                IngestionClient.Event("trace-create", new JsonObject { ["id"] = Id("t1"), ["userId"] = "bob" }),
                IngestionClient.Event("span-create", new JsonObject { ["id"] = Id("s2"), ["traceId"] = Id("t1"), ["startTime"] = At(0.3), ["level"] = "DEFAULT" }),
            ],
        ];
    }

    private IngestionBatchProcessor Processor() => HandRunProcessor.For(Host.Services);

    /// <summary>Each trace's newest summary as text, the cost to twelve significant digits (float sums differ in order).</summary>
    private async Task<List<string>> LatestSummariesAsync(string[] traceIds)
    {
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("project", ProjectId);
        parameters.AddParameter("ids", traceIds);
        using var reader = await Store.Client.ExecuteReaderAsync(
            "SELECT * FROM (SELECT trace_id, timestamp, user_id, session_id, observations, latency_ms, input_tokens, output_tokens, tokens, toString(round(cost, 12)), level_rank, is_deleted " +
            "FROM trace_summaries WHERE project_id = {project:String} AND trace_id IN {ids:Array(String)} ORDER BY computed_at DESC LIMIT 1 BY trace_id) ORDER BY trace_id",
            parameters,
            cancellationToken: Cancellation);
        var rows = new List<string>();
        while (await reader.ReadAsync(Cancellation))
        {
            rows.Add(string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
            {
                DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
                var value => Convert.ToString(value, CultureInfo.InvariantCulture),
            })));
        }

        return rows;
    }
}
