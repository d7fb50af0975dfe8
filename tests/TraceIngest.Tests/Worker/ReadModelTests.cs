using System.Globalization;
using System.Text.Json.Nodes;
using ClickHouse.Driver.Utility;
using Microsoft.Extensions.DependencyInjection;
using Storage.TraceStore;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// The read models the dashboard and lists use (<c>generations</c>, <c>trace_summaries</c>) under updates,
/// redelivered batches and deletion: each trace and generation counts once, with its latest values.
/// </summary>
public sealed class ReadModelTests() : IngestServiceTest("readmodels")
{
    private const string TraceId = "trace-rm";
    private const string GenerationId = "gen-rm";

    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ClickHouseTraceStore Store => Host.Services.GetRequiredService<ClickHouseTraceStore>();

    private IngestionBatchProcessor Processor() => HandRunProcessor.For(Host.Services);

    private async Task<IngestionBatchReference> SendAsync(params JsonNode[] events)
    {
        using var response = await Client.PostBatchAsync(events);
        Assert.Equal(System.Net.HttpStatusCode.MultiStatus, response.StatusCode);
        return Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task An_updated_generation_delivered_twice_counts_once_with_its_latest_usage_and_cost()
    {
        var processor = Processor();
        var start = DateTime.UtcNow.AddMinutes(-5);
        var created = await SendAsync(
            IngestionClient.Event("trace-create", new JsonObject { ["id"] = TraceId, ["name"] = "chat", ["userId"] = "alice", ["sessionId"] = "s-1", ["timestamp"] = start.ToString("O") }),
            IngestionClient.Event("generation-create", new JsonObject
            {
                ["id"] = GenerationId, ["traceId"] = TraceId, ["name"] = "answer", ["model"] = "gpt-4o", ["startTime"] = start.ToString("O"),
                ["endTime"] = start.AddSeconds(2).ToString("O"), ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 200 },
            }),
            IngestionClient.Event("span-create", new JsonObject { ["id"] = "span-rm", ["traceId"] = TraceId, ["name"] = "retrieve", ["startTime"] = start.ToString("O") }));
        await Task.Delay(20, Cancellation);
        var updated = await SendAsync(
            IngestionClient.Event("generation-update", new JsonObject
            {
                ["id"] = GenerationId, ["traceId"] = TraceId, ["endTime"] = start.AddSeconds(3).ToString("O"), ["level"] = "ERROR",
                ["usageDetails"] = new JsonObject { ["input"] = 2000, ["output"] = 400 },
            }),
            IngestionClient.Event("trace-create", new JsonObject { ["id"] = TraceId, ["userId"] = "bob" }));

        await processor.ProcessAsync([created], Cancellation);
        await processor.ProcessAsync([updated], Cancellation);
        // Redelivery: the same batches again, the last one twice and both together.
        await processor.ProcessAsync([updated], Cancellation);
        await processor.ProcessAsync([created, updated], Cancellation);

        // gpt-4o at $2.50 / $10 per million tokens, for the updated 2,000 input and 400 output tokens.
        const double Cost = (2000 * 2.5 + 400 * 10.0) / 1e6;
        Assert.True(await ScalarAsync("SELECT count() FROM generations WHERE project_id = 'readmodels'") > 1, "versions were written, not updated in place");
        Assert.Equal("1 2000 400 1 3000", await RowAsync(
            "SELECT count(), sum(input_tokens), sum(output_tokens), sum(is_error), max(latency_ms) FROM generations FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"));
        Assert.Equal(Cost, await CostAsync("SELECT sum(cost) FROM generations FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"), 12);

        Assert.Equal("1 bob s-1 2 2000 400 2400 3", await RowAsync(
            "SELECT count(), any(user_id), any(session_id), sum(observations), sum(input_tokens), sum(output_tokens), sum(tokens), max(level_rank) " +
            "FROM trace_summaries FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"));
        Assert.Equal(Cost, await CostAsync("SELECT sum(cost) FROM trace_summaries FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"), 12);
    }

    [Fact]
    public async Task A_deleted_trace_leaves_both_read_models()
    {
        var start = DateTime.UtcNow.AddMinutes(-5);
        await Processor().ProcessAsync([await SendAsync(
            IngestionClient.Event("trace-create", new JsonObject { ["id"] = TraceId, ["userId"] = "alice", ["timestamp"] = start.ToString("O") }),
            IngestionClient.Event("generation-create", new JsonObject
            {
                ["id"] = GenerationId, ["traceId"] = TraceId, ["model"] = "gpt-4o", ["startTime"] = start.ToString("O"),
                ["usageDetails"] = new JsonObject { ["input"] = 10, ["output"] = 5 },
            }))], Cancellation);
        Assert.Equal(1, await ScalarAsync("SELECT count() FROM trace_summaries FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"));

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/public/traces/{TraceId}");
        delete.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{PublicKey}:{SecretKey}")));
        using var deleted = await Host.Client.SendAsync(delete, Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.OK, deleted.StatusCode);

        Assert.Equal(0, await ScalarAsync("SELECT count() FROM trace_summaries FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"));
        Assert.Equal(0, await ScalarAsync("SELECT count() FROM generations FINAL WHERE project_id = 'readmodels' AND is_deleted = 0"));
    }

    private async Task<long> ScalarAsync(string sql) =>
        Convert.ToInt64(await Store.Client.ExecuteScalarAsync(sql, cancellationToken: Cancellation), CultureInfo.InvariantCulture);

    private async Task<double> CostAsync(string sql) =>
        Convert.ToDouble(await Store.Client.ExecuteScalarAsync(sql, cancellationToken: Cancellation), CultureInfo.InvariantCulture);

    private async Task<string> RowAsync(string sql)
    {
        using var reader = await Store.Client.ExecuteReaderAsync(sql, cancellationToken: Cancellation);
        Assert.True(await reader.ReadAsync(Cancellation));
        return string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)));
    }
}
