using System.Text;
using System.Text.Json;
using Gateway.Inbound;
using Gateway.Telemetry;

namespace Gateway.Tests.Telemetry;

public sealed class GatewayTraceEventsTests
{
    /// <summary>The call's events as the exporter sends them, in a batch.</summary>
    private static List<JsonElement> EventsOf(GatewayCallRecord call, string? environment = null)
    {
        var batch = new TraceBatch(environment);
        batch.Add(call);
        var (payload, calls) = batch.Finish();
        Assert.Equal(1, calls);
        return JsonDocument.Parse(payload).RootElement.GetProperty("batch").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static JsonElement Body(List<JsonElement> events, string type) => events.Single(e => e.GetProperty("type").GetString() == type).GetProperty("body");

    [Fact]
    public void Prompt_cache_reads_and_five_minute_and_one_hour_writes_are_in_the_generations_usage_under_Langfuses_keys()
    {
        var now = DateTimeOffset.UtcNow;
        var call = new GatewayCallRecord("ChatCompletions", "claude", "claude", "anthropic", "claude-opus-4-5", 200, null, 1, 131, 7, false, null, now, now, 0.4,
            CacheReadTokens: 100, CacheCreationTokens: 20, CacheCreation1hTokens: 5);

        var generation = Body(EventsOf(call), "generation-create");

        Assert.Equal("""{"input":131,"output":7,"input_cache_read":100,"input_cache_creation":15,"input_cache_creation_1h":5}""", generation.GetProperty("usageDetails").GetRawText());
        Assert.Equal("claude-opus-4-5", generation.GetProperty("model").GetString());
    }

    [Fact]
    public void Bedrock_prompt_cache_reads_and_writes_are_their_own_usage_keys_beside_the_whole_input()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new GatewayCallRecord("ChatCompletions", "claude", "claude", "bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", 200, null, 1,
            PromptTokens: 110, CompletionTokens: 5, Stream: false, User: null, StartTime: now, EndTime: now, OverheadMilliseconds: 0.1,
            CacheReadTokens: 80, CacheCreationTokens: 20);

        var generation = Body(EventsOf(record), "generation-create");

        // The ingestion worker takes the cache keys out of "input" (see UsageDetails), so "input" carries all 110.
        Assert.Equal("""{"input":110,"output":5,"input_cache_read":80,"input_cache_creation":20}""", generation.GetProperty("usageDetails").GetRawText());
    }

    [Fact]
    public void Attempts_that_failed_are_spans_of_the_trace_and_the_generation_is_the_attempt_that_answered()
    {
        var start = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var record = new GatewayCallRecord("ChatCompletions", "primary", "backup", "openai", "gpt-4o-mini", 200, null, 3, 11, 7, true, "u-1",
            start, start.AddSeconds(3), 0.2)
        {
            FailedAttempts =
            [
                new AttemptSpan(1, "primary", "openai", "Timeout", null, start.AddMilliseconds(1), start.AddSeconds(1)),
                new AttemptSpan(2, "primary-2", "azure", "ServerError", 503, start.AddSeconds(1), start.AddSeconds(2)),
            ],
            AnswerStartTime = start.AddSeconds(2),
            CompletionStartTime = start.AddSeconds(2.5),
            ModelParameters = """{"temperature":0.2,"stop":["END"]}"""u8.ToArray(),
        };

        var events = EventsOf(record, environment: "staging");

        var traceId = Body(events, "trace-create").GetProperty("id").GetString();
        var spans = events.Where(e => e.GetProperty("type").GetString() == "span-create").Select(e => e.GetProperty("body")).ToList();
        Assert.Equal(["attempt 1: primary", "attempt 2: primary-2"], spans.Select(s => s.GetProperty("name").GetString()));
        Assert.All(spans, s => Assert.Equal((traceId, "WARNING", "staging"), (s.GetProperty("traceId").GetString(), s.GetProperty("level").GetString(), s.GetProperty("environment").GetString())));
        Assert.Equal(("ServerError", 503, "azure"), (spans[1].GetProperty("metadata").GetProperty("error").GetString(),
            spans[1].GetProperty("metadata").GetProperty("status").GetInt32(), spans[1].GetProperty("metadata").GetProperty("provider").GetString()));
        Assert.Equal("ServerError (HTTP 503)", spans[1].GetProperty("statusMessage").GetString());
        Assert.Equal(1000, spans[1].GetProperty("metadata").GetProperty("duration_ms").GetDouble());
        var generation = Body(events, "generation-create");
        Assert.Equal(start.AddSeconds(2), generation.GetProperty("startTime").GetDateTimeOffset());
        Assert.Equal(start.AddSeconds(2.5), generation.GetProperty("completionStartTime").GetDateTimeOffset());
        Assert.Equal("""{"temperature":0.2,"stop":["END"]}""", generation.GetProperty("modelParameters").GetRawText());
        Assert.Equal("staging", generation.GetProperty("environment").GetString());
        Assert.Equal("staging", Body(events, "trace-create").GetProperty("environment").GetString());
    }

    [Fact]
    public void A_call_without_attempts_parameters_or_environment_writes_none_of_them()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new GatewayCallRecord("Embeddings", "embed", null, null, null, 429, "rate_limit_exceeded", 0, null, null, false, null, now, now, 0.1);

        var events = EventsOf(record);

        Assert.Equal(["trace-create", "generation-create"], events.Select(e => e.GetProperty("type").GetString()));
        var generation = Body(events, "generation-create");
        foreach (var absent in new[] { "modelParameters", "completionStartTime", "environment", "usageDetails", "costDetails" })
        {
            Assert.False(generation.TryGetProperty(absent, out _), absent);
        }

        Assert.Equal(("ERROR", "HTTP 429: rate_limit_exceeded"), (generation.GetProperty("level").GetString(), generation.GetProperty("statusMessage").GetString()));
    }

    [Fact]
    public void Sampling_parameters_are_read_from_the_body_as_written_and_other_fields_are_not()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"model":"m","temperature":0.7,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}],"stop":["a","b"],
             "response_format":{"type":"json_object"},"max_tokens":12,"seed":null,"top_p":1e-1,"tool_choice":"auto","logit_bias":{"1":2}}
            """);

        Assert.True(InboundFields.TryParse(body, null, out var fields, out _, out _));

        Assert.Equal("""{"temperature":0.7,"stop":["a","b"],"max_tokens":12,"top_p":1e-1,"tool_choice":"auto"}""",
            Encoding.UTF8.GetString(fields.Parameters.ToJson(body)!));
        Assert.True(InboundFields.TryParse("""{"model":"m","messages":[]}"""u8, null, out var none, out _, out _));
        Assert.Null(none.Parameters.ToJson("""{"model":"m","messages":[]}"""u8));
    }
}
