using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storage.TraceStore;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// The same end-to-end paths on the distributed backends: PostgreSQL, Redis Streams, an S3 server, and a ClickHouse
/// HTTP interface (chDB served by a second process).
/// </summary>
public sealed class DistributedPipelineTests(PostgresServer postgres, RedisServer redis, S3Server s3, TraceStoreServerProcess clickHouse)
    : IClassFixture<TraceStoreServerProcess>, IAsyncLifetime
{
    private const string PublicKey = "pk-lf-distributed";
    private const string SecretKey = "sk-lf-distributed-0123456789";
    private TestWebHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = s3.Settings($"events-{Guid.NewGuid():N}"[..20]);
        foreach (var (key, value) in TraceIngestHost.Project("distributed", PublicKey, SecretKey)
            .Concat(clickHouse.Settings(EmbeddedTraceStore.NewDatabaseName("distributed"))))
        {
            settings[key] = value;
        }

        settings["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("distributed");
        settings["ConnectionStrings:redis"] = redis.ConnectionString;
        settings["Ingestion:QueueStream"] = $"ingestion-{Guid.NewGuid():N}";
        settings["Ingestion:Worker:ReceiveWait"] = "00:00:00.200";
        settings["TraceIngest:Roles"] = "api,worker";
        _host = await TraceIngestHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Dictionary<string, string?> Sdk(string traceId, int minObservations) => new()
    {
        ["LANGFUSE_BASEURL"] = _host.BaseAddress.ToString().TrimEnd('/'),
        ["LANGFUSE_PUBLIC_KEY"] = PublicKey,
        ["LANGFUSE_SECRET_KEY"] = SecretKey,
        ["TRACE_ID"] = traceId,
        ["MIN_OBSERVATIONS"] = minObservations.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Sdk_v3_events_are_readable_through_the_official_client_within_five_seconds()
    {
        var traceId = Guid.NewGuid().ToString();
        await NpmTools.RunScriptAsync("langfuse-v3-send.mjs", Sdk(traceId, 3), TimeSpan.FromSeconds(60));

        using var read = JsonDocument.Parse((await NpmTools.RunScriptAsync("langfuse-client-read.mjs", Sdk(traceId, 3), TimeSpan.FromSeconds(60))).Trim().Split('\n')[^1]);
        var trace = read.RootElement.GetProperty("trace");

        Assert.True(read.RootElement.GetProperty("elapsedMs").GetInt32() < 5000);
        Assert.Equal("support-question", trace.GetProperty("name").GetString());
        Assert.Equal(3, trace.GetProperty("observations").GetArrayLength());
        Assert.Equal(0.9, trace.GetProperty("scores")[0].GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Sdk_v5_over_otlp_is_readable_through_the_official_client_within_five_seconds()
    {
        var sent = await NpmTools.RunScriptAsync("langfuse-v5-otel-send.mjs", Sdk(string.Empty, 0), TimeSpan.FromSeconds(60));
        var traceId = JsonDocument.Parse(sent.Trim().Split('\n')[^1]).RootElement.GetProperty("traceId").GetString()!;
        var environment = Sdk(traceId, 3);
        environment["COMPLETE_WITH_OUTPUT_AND_SCORE"] = "0";
        environment["TRACE_NAME"] = "agent-run";

        using var read = JsonDocument.Parse((await NpmTools.RunScriptAsync("langfuse-client-read.mjs", environment, TimeSpan.FromSeconds(60))).Trim().Split('\n')[^1]);
        var trace = read.RootElement.GetProperty("trace");
        var kinds = trace.GetProperty("observations").EnumerateArray().Select(o => o.GetProperty("type").GetString()).Order().ToList();

        Assert.True(read.RootElement.GetProperty("elapsedMs").GetInt32() < 5000);
        Assert.Equal(("agent-run", "user-5", "session-v5"), (trace.GetProperty("name").GetString(), trace.GetProperty("userId").GetString(), trace.GetProperty("sessionId").GetString()));
        Assert.Equal(["GENERATION", "SPAN", "TOOL"], kinds);
        Assert.Equal("A summary.", trace.GetProperty("output").GetProperty("summary").GetString());
        Assert.True(trace.GetProperty("totalCost").GetDouble() > 0);
    }

    [Fact]
    public async Task The_plain_opentelemetry_protobuf_exporter_delivers_a_priced_generation()
    {
        var sent = await NpmTools.RunScriptAsync("otlp-proto-send.mjs", Sdk(string.Empty, 0), TimeSpan.FromSeconds(60));
        var traceId = JsonDocument.Parse(sent.Trim().Split('\n')[^1]).RootElement.GetProperty("traceId").GetString()!;
        var environment = Sdk(traceId, 2);
        environment["COMPLETE_WITH_OUTPUT_AND_SCORE"] = "0";
        environment["TRACE_NAME"] = "rag-pipeline";

        using var read = JsonDocument.Parse((await NpmTools.RunScriptAsync("langfuse-client-read.mjs", environment, TimeSpan.FromSeconds(60))).Trim().Split('\n')[^1]);
        var trace = read.RootElement.GetProperty("trace");
        var generation = trace.GetProperty("observations").EnumerateArray().Single(o => o.GetProperty("type").GetString() == "GENERATION");

        Assert.True(read.RootElement.GetProperty("elapsedMs").GetInt32() < 5000);
        Assert.Equal(("rag-pipeline", "proto-user"), (trace.GetProperty("name").GetString(), trace.GetProperty("userId").GetString()));
        Assert.Equal("gpt-4o-mini", generation.GetProperty("model").GetString());
        Assert.Equal(2000, generation.GetProperty("usage").GetProperty("input").GetInt32());
        Assert.Equal((2000 * 0.15 + 500 * 0.60) / 1e6, generation.GetProperty("calculatedTotalCost").GetDouble(), 12);
        Assert.Equal("What changed?", generation.GetProperty("input")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_batch_of_the_longest_ids_is_written_and_summarized()
    {
        // 300 spans, each in its own trace, all ids of the longest length accepted; the trace ids take six URL
        // characters per character once percent-encoded (1.4 MB for the batch): reading the stored rows and
        // recomputing the traces' summaries must still fit the server's URL limit.
        var prefix = Guid.NewGuid().ToString("N");
        string TraceId(int i) => $"{prefix}-{i:D4}-".PadRight(800, 'ê');
        var events = Enumerable.Range(0, 300)
            .SelectMany(i => new JsonNode[]
            {
                IngestionClient.Event("trace-create", new JsonObject { ["id"] = TraceId(i), ["name"] = "long id" }),
                IngestionClient.Event("span-create", new JsonObject { ["id"] = $"{prefix}-{i:D4}-".PadRight(800, 'x'), ["traceId"] = TraceId(i), ["name"] = "long id" }),
            })
            .ToArray();
        var client = new IngestionClient(_host, PublicKey, SecretKey);
        using var response = await client.PostBatchAsync(events);
        Assert.Equal(207, (int)response.StatusCode);

        var store = _host.Services.GetRequiredService<ClickHouseTraceStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long written, summarized;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            written = await CountAsync(store, $"SELECT count() FROM observations WHERE startsWith(trace_id, '{prefix}')");
            summarized = await CountAsync(store, $"SELECT count() FROM trace_summaries FINAL WHERE startsWith(trace_id, '{prefix}') AND observations = 1");
        }
        while ((written < 300 || summarized < 300) && DateTime.UtcNow < deadline);

        Assert.Equal(300, written);
        Assert.Equal(300, summarized);
    }

    private static async Task<long> CountAsync(ClickHouseTraceStore store, string sql) =>
        Convert.ToInt64(await store.Client.ExecuteScalarAsync(sql, cancellationToken: TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
}
