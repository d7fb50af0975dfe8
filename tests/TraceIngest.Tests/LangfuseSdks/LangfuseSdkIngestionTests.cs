using System.Text.Json;

namespace TraceIngest.Tests.LangfuseSdks;

/// <summary>The official Langfuse JS SDKs from npm, unmodified, sending to this service instead of Langfuse.</summary>
public sealed class LangfuseSdkIngestionTests() : IngestServiceTest("sdk")
{
    private Dictionary<string, string?> SdkEnvironment(string traceId) => new()
    {
        ["LANGFUSE_BASEURL"] = Host.BaseAddress.ToString().TrimEnd('/'),
        ["LANGFUSE_PUBLIC_KEY"] = PublicKey,
        ["LANGFUSE_SECRET_KEY"] = SecretKey,
        ["TRACE_ID"] = traceId,
    };

    [Fact]
    public async Task Sdk_v3_trace_with_nested_span_generation_score_and_updates_is_accepted_whole()
    {
        var traceId = Guid.NewGuid().ToString();

        var output = await NpmTools.RunScriptAsync("langfuse-v3-send.mjs", SdkEnvironment(traceId), TimeSpan.FromSeconds(60));
        var events = await StoredEventsAsync();

        Assert.Contains(traceId, output, StringComparison.Ordinal);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("trace-create", types);
        Assert.Contains("span-create", types);
        Assert.Contains("generation-create", types);
        Assert.Contains("generation-update", types);
        Assert.Contains("score-create", types);
        Assert.Contains("event-create", types);
        var generation = events.First(e => e.GetProperty("type").GetString() == "generation-create").GetProperty("body");
        Assert.Equal("gpt-4o-mini", generation.GetProperty("model").GetString());
        Assert.Equal(traceId, generation.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Sdk_v5_over_otlp_delivers_the_trace_its_generation_and_tool()
    {
        var output = await NpmTools.RunScriptAsync("langfuse-v5-otel-send.mjs", SdkEnvironment(string.Empty), TimeSpan.FromSeconds(60));
        var traceId = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("traceId").GetString()!;
        var events = await StoredEventsAsync();

        var trace = events.First(e => e.GetProperty("type").GetString() == "trace-create" && e.GetProperty("body").TryGetProperty("name", out _)).GetProperty("body");
        var generation = events.Single(e => e.GetProperty("type").GetString() == "generation-create").GetProperty("body");
        var tool = events.Single(e => e.GetProperty("type").GetString() == "tool-create").GetProperty("body");
        Assert.Equal((traceId, "agent-run", "user-5", "session-v5"), (trace.GetProperty("id").GetString(), trace.GetProperty("name").GetString(), trace.GetProperty("userId").GetString(), trace.GetProperty("sessionId").GetString()));
        Assert.Equal("claude-sonnet-4-20250514", generation.GetProperty("model").GetString());
        Assert.Equal(300, generation.GetProperty("usageDetails").GetProperty("input").GetInt64());
        Assert.Equal("search", tool.GetProperty("name").GetString());
    }
}
