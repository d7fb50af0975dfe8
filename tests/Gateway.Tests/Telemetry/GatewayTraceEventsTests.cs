using Gateway.Telemetry;

namespace Gateway.Tests.Telemetry;

public sealed class GatewayTraceEventsTests
{
    [Fact]
    public void Prompt_cache_reads_and_five_minute_and_one_hour_writes_are_in_the_generations_usage_under_Langfuses_keys()
    {
        var now = DateTimeOffset.UtcNow;
        var call = new GatewayCallRecord("ChatCompletions", "claude", "claude", "anthropic", "claude-opus-4-5", 200, null, 1, 131, 7, false, null, now, now, 0.4,
            CacheReadTokens: 100, CacheCreationTokens: 20, CacheCreation1hTokens: 5);

        var generation = GatewayTraceEvents.For(call).Single(e => e["type"]!.GetValue<string>() == "generation-create")["body"]!;

        Assert.Equal("""{"input":131,"output":7,"input_cache_read":100,"input_cache_creation":15,"input_cache_creation_1h":5}""", generation["usageDetails"]!.ToJsonString());
        Assert.Equal("claude-opus-4-5", generation["model"]!.GetValue<string>());
    }

    [Fact]
    public void Bedrock_prompt_cache_reads_and_writes_are_their_own_usage_keys_beside_the_whole_input()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new GatewayCallRecord("ChatCompletions", "claude", "claude", "bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", 200, null, 1,
            PromptTokens: 110, CompletionTokens: 5, Stream: false, User: null, StartTime: now, EndTime: now, OverheadMilliseconds: 0.1,
            CacheReadTokens: 80, CacheCreationTokens: 20);

        var generation = GatewayTraceEvents.For(record).Single(e => e["type"]!.GetValue<string>() == "generation-create")["body"]!;

        // The ingestion worker takes the cache keys out of "input" (see UsageDetails), so "input" carries all 110.
        Assert.Equal("""{"input":110,"output":5,"input_cache_read":80,"input_cache_creation":20}""", generation["usageDetails"]!.ToJsonString());
    }
}
