using Gateway.Telemetry;

namespace Gateway.Tests.Telemetry;

public sealed class CachedUsageTraceTests
{
    [Fact]
    public void Prompt_cache_reads_and_writes_are_their_own_usage_keys_and_leave_input()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new GatewayCallRecord("ChatCompletions", "claude", "claude", "bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", 200, null, 1,
            PromptTokens: 110, CompletionTokens: 5, Stream: false, User: null, StartTime: now, EndTime: now, OverheadMilliseconds: 0.1,
            CachedPromptTokens: 80, CacheCreationPromptTokens: 20);

        var generation = GatewayTraceEvents.For(record).Single(e => e["type"]!.GetValue<string>() == "generation-create")["body"]!;

        Assert.Equal("""{"input":10,"output":5,"input_cache_read":80,"input_cache_creation":20}""", generation["usageDetails"]!.ToJsonString());
    }
}
