using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storage.TraceStore;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>API and worker in one host: events in through the public API, rows out in the trace store.</summary>
public sealed class IngestionPipelineTests() : IngestServiceTest("pipeline")
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["TraceIngest:Roles"] = "api,worker";
        settings["Ingestion:Worker:ReceiveWait"] = "00:00:00.200";
    }

    private TraceRowStore Rows => Host.Services.GetRequiredService<TraceRowStore>();

    private async Task<T> EventuallyAsync<T>(Func<Task<T?>> read, TimeSpan within) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            Assert.True(clock.Elapsed < within, $"not written within {within}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task An_input_nested_deeper_than_a_default_json_reader_allows_is_written_as_accepted()
    {
        var deep = new string('[', 100) + "\"bottom\"" + new string(']', 100);
        var response = await Client.PostAsync("/api/public/ingestion", new System.Net.Http.StringContent(
            $$$"""{"batch":[{"id":"e-deep","timestamp":"2026-11-23T10:00:00Z","type":"span-create","body":{"id":"deep-span","traceId":"deep-trace","startTime":"2026-11-23T10:00:00Z","input":{{{deep}}}}}]}""",
            System.Text.Encoding.UTF8,
            "application/json"));
        var cancel = TestContext.Current.CancellationToken;

        var span = await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", ["deep-span"], cancel)).GetValueOrDefault("deep-span"), TimeSpan.FromSeconds(10));

        Assert.Equal(System.Net.HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(deep, span.Input);
    }

    [Fact]
    public async Task Sdk_events_become_merged_rows_with_usage_and_cost_within_five_seconds()
    {
        var traceId = Guid.NewGuid().ToString();
        var output = await NpmTools.RunScriptAsync("langfuse-v3-send.mjs", new Dictionary<string, string?>
        {
            ["LANGFUSE_BASEURL"] = Host.BaseAddress.ToString().TrimEnd('/'),
            ["LANGFUSE_PUBLIC_KEY"] = PublicKey,
            ["LANGFUSE_SECRET_KEY"] = SecretKey,
            ["TRACE_ID"] = traceId,
        }, TimeSpan.FromSeconds(60));
        var generationId = System.Text.Json.JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("generationId").GetString()!;
        var cancel = TestContext.Current.CancellationToken;

        var trace = await EventuallyAsync(async () => (await Rows.ReadTracesAsync("pipeline", [traceId], cancel)).GetValueOrDefault(traceId) is { Output: not null } t ? t : null, TimeSpan.FromSeconds(5));
        var generation = await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [generationId], cancel)).GetValueOrDefault(generationId) is { Output: not null } g ? g : null, TimeSpan.FromSeconds(5));

        Assert.Equal(("support-question", "user-42", "session-7"), (trace.Name, trace.UserId, trace.SessionId));
        Assert.Equal(["eu", "sdk-v3"], trace.Tags);
        Assert.Contains("30 days", trace.Output, StringComparison.Ordinal);
        Assert.Equal(("GENERATION", traceId, "gpt-4o-mini"), (generation.Type, generation.TraceId, generation.ProvidedModelName));
        Assert.Equal(1200UL, generation.UsageDetails["input"]);
        Assert.Equal(80UL, generation.UsageDetails["output"]);
        Assert.Equal((1200 * 0.15 + 80 * 0.60) / 1e6, generation.TotalCost!.Value, 12);
        Assert.NotNull(generation.EndTime);
        Assert.Contains("temperature", generation.ModelParameters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_official_langfuseClient_reads_back_what_the_v3_sdk_sent_within_five_seconds()
    {
        var traceId = Guid.NewGuid().ToString();
        var environment = new Dictionary<string, string?>
        {
            ["LANGFUSE_BASEURL"] = Host.BaseAddress.ToString().TrimEnd('/'),
            ["LANGFUSE_PUBLIC_KEY"] = PublicKey,
            ["LANGFUSE_SECRET_KEY"] = SecretKey,
            ["TRACE_ID"] = traceId,
            ["MIN_OBSERVATIONS"] = "3",
        };
        await NpmTools.RunScriptAsync("langfuse-v3-send.mjs", environment, TimeSpan.FromSeconds(60));

        var output = await NpmTools.RunScriptAsync("langfuse-client-read.mjs", environment, TimeSpan.FromSeconds(60));
        using var read = System.Text.Json.JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = read.RootElement;
        var trace = root.GetProperty("trace");

        Assert.True(root.GetProperty("elapsedMs").GetInt32() < 5000, $"readable after {root.GetProperty("elapsedMs").GetInt32()} ms");
        Assert.Equal(("support-question", "user-42", "session-7"), (trace.GetProperty("name").GetString(), trace.GetProperty("userId").GetString(), trace.GetProperty("sessionId").GetString()));
        Assert.Equal("Yes, within 30 days.", trace.GetProperty("output").GetProperty("answer").GetString());
        Assert.Equal("Can I get a refund?", trace.GetProperty("input").GetProperty("question").GetString());
        Assert.Equal("pro", trace.GetProperty("metadata").GetProperty("plan").GetString());
        var observations = trace.GetProperty("observations").EnumerateArray().ToList();
        Assert.Equal(3, observations.Count);
        var generation = observations.Single(o => o.GetProperty("type").GetString() == "GENERATION");
        Assert.Equal("gpt-4o-mini", generation.GetProperty("model").GetString());
        Assert.Equal(1200, generation.GetProperty("usage").GetProperty("input").GetInt32());
        Assert.Equal((1200 * 0.15 + 80 * 0.60) / 1e6, generation.GetProperty("calculatedTotalCost").GetDouble(), 12);
        Assert.Equal(0.9, trace.GetProperty("scores")[0].GetProperty("value").GetDouble());
        Assert.True(trace.GetProperty("totalCost").GetDouble() > 0);
        Assert.True(trace.GetProperty("latency").GetDouble() >= 0);
        Assert.Contains(root.GetProperty("list").GetProperty("data").EnumerateArray(), t => t.GetProperty("id").GetString() == traceId);
        Assert.Equal(1, root.GetProperty("list").GetProperty("meta").GetProperty("page").GetInt32());
        Assert.Equal(3, root.GetProperty("observations").GetProperty("data").GetArrayLength());
        Assert.Contains(root.GetProperty("sessions").GetProperty("data").EnumerateArray(), s => s.GetProperty("id").GetString() == "session-7");
    }

    [Fact]
    public async Task Delivering_the_same_batch_twice_leaves_one_row_with_the_same_content()
    {
        var store = Host.Services.GetRequiredService<ClickHouseTraceStore>();
        var cancel = TestContext.Current.CancellationToken;
        await Client.PostBatchAsync(IngestionClient.Event("trace-create", new JsonObject { ["id"] = "dup", ["name"] = "once" }, id: "event-1"));
        var first = await EventuallyAsync(async () => (await Rows.ReadTracesAsync("pipeline", ["dup"], cancel)).GetValueOrDefault("dup"), TimeSpan.FromSeconds(5));

        await Client.PostBatchAsync(IngestionClient.Event("trace-create", new JsonObject { ["id"] = "dup", ["name"] = "once" }, id: "event-1"));
        await EventuallyAsync(async () => (await Rows.ReadTracesAsync("pipeline", ["dup"], cancel)).GetValueOrDefault("dup") is { } t && t.EventTs > first.EventTs ? t : null, TimeSpan.FromSeconds(5));
        var rows = Convert.ToInt64(await store.Client.ExecuteScalarAsync("SELECT count() FROM traces FINAL WHERE id = 'dup'", cancellationToken: cancel), System.Globalization.CultureInfo.InvariantCulture);
        var again = (await Rows.ReadTracesAsync("pipeline", ["dup"], cancel))["dup"];

        Assert.Equal(1, rows);
        Assert.Equal((first.Name, first.Timestamp, first.CreatedAt), (again.Name, again.Timestamp, again.CreatedAt));
    }

    [Fact]
    public async Task A_project_price_override_beats_the_default_price()
    {
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Storage.Relational.PlatformDbContext>();
            db.ModelPriceOverrides.Add(new Storage.Relational.Entities.ModelPriceOverride
            {
                Id = "negotiated", ProjectId = "pipeline", ModelName = "gpt-4o", MatchPattern = "^gpt-4o$",
                PricesJson = """{"input":0.000001,"output":0.000002}""", CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var cancel = TestContext.Current.CancellationToken;
        var traceId = Guid.NewGuid().ToString();
        await Client.PostBatchAsync(
            IngestionClient.Event("trace-create", new JsonObject { ["id"] = traceId, ["name"] = "priced" }),
            IngestionClient.Event("generation-create", new JsonObject { ["id"] = $"{traceId}-own", ["traceId"] = traceId, ["model"] = "gpt-4o", ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 100 } }),
            IngestionClient.Event("generation-create", new JsonObject { ["id"] = $"{traceId}-default", ["traceId"] = traceId, ["model"] = "gpt-4o-mini", ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 100 } }));

        var own = await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [$"{traceId}-own"], cancel)).GetValueOrDefault($"{traceId}-own"), TimeSpan.FromSeconds(5));
        var fallback = await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [$"{traceId}-default"], cancel)).GetValueOrDefault($"{traceId}-default"), TimeSpan.FromSeconds(5));

        Assert.Equal(1000 * 0.000001 + 100 * 0.000002, own.TotalCost!.Value, 12);
        Assert.Equal((1000 * 0.15 + 100 * 0.60) / 1e6, fallback.TotalCost!.Value, 12);
    }

    [Fact]
    public async Task A_cost_the_client_gave_survives_a_later_update_that_brings_only_usage()
    {
        var cancel = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid().ToString();
        await Client.PostBatchAsync(IngestionClient.Event("generation-create", new JsonObject
        {
            ["id"] = id, ["name"] = "negotiated", ["model"] = "gpt-4o", ["costDetails"] = new JsonObject { ["total"] = 0.5 },
        }));
        await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [id], cancel)).GetValueOrDefault(id), TimeSpan.FromSeconds(5));

        // A separate batch, so the worker merges the update into the row it reads back from the store.
        await Client.PostBatchAsync(IngestionClient.Event("generation-update", new JsonObject
        {
            ["id"] = id, ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 100 }, ["output"] = "done",
        }));
        var updated = await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [id], cancel)).GetValueOrDefault(id) is { Output: not null } o ? o : null, TimeSpan.FromSeconds(5));

        Assert.Equal(1000UL, updated.UsageDetails["input"]);
        Assert.Equal(0.5, updated.TotalCost);
        Assert.Equal(0.5, updated.ProvidedCostDetails["total"]);
    }

    [Fact]
    public async Task A_worker_round_reports_its_stages_and_the_events_it_wrote()
    {
        var stages = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var written = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IngestionWorkerMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => stages.AddOrUpdate((string)tags[0].Value!, 1, (_, n) => n + 1));
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == IngestionWorkerMetrics.EventsWrittenName)
            {
                Interlocked.Add(ref written, value);
            }
        });
        listener.Start();

        var cancel = TestContext.Current.CancellationToken;
        var traceId = Guid.NewGuid().ToString();
        await Client.PostBatchAsync(
            IngestionClient.Event("trace-create", new JsonObject { ["id"] = traceId, ["name"] = "measured" }),
            IngestionClient.Event("span-create", new JsonObject { ["id"] = $"{traceId}-span", ["traceId"] = traceId, ["name"] = "step" }));
        await EventuallyAsync(async () => (await Rows.ReadObservationsAsync("pipeline", [$"{traceId}-span"], cancel)).GetValueOrDefault($"{traceId}-span"), TimeSpan.FromSeconds(5));

        // The round reports after its insert returns, which may be just after the row became visible.
        await EventuallyAsync(() => Task.FromResult<object?>(Interlocked.Read(ref written) >= 2 && stages.ContainsKey("write") ? written : null), TimeSpan.FromSeconds(5));
        Assert.All(new[] { "load", "read", "merge", "write", "summarize" }, stage => Assert.True(stages.ContainsKey(stage), $"no {stage} stage recorded"));
    }
}
