using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TraceIngest.Tests.Otlp;

/// <summary>
/// Every convention the span mapping knows, in one export, sent as OTLP/JSON and as protobuf: both must store the
/// same events, field for field (key order aside), as written out in <see cref="Expected"/>.
/// </summary>
public sealed class OtlpMappingTests() : IngestServiceTest("otel-mapping")
{
    private const string TraceA = "5b8efff798038103d269b633813fc60c";
    private const string TraceB = "0102030405060708090a0b0c0d0e0f10";
    private const string TraceC = "1112131415161718191a1b1c1d1e1f20";
    private const string TraceD = "2122232425262728292a2b2c2d2e2f30";
    private const ulong Start = 1_763_892_000_000_000_000;

    private static KeyValuePair<string, object?> A(string key, object? value) => KeyValuePair.Create(key, value);

    internal static OtlpExport Export { get; } = new(
    [
        new OtlpResourceSpans(
            [
                A("service.name", "shop"),
                A("deployment.environment.name", "staging"),
                A("host.ids", new OtlpArray(1L, "a")),
                A("process.runtime", new OtlpKeyValues(A("name", "dotnet"), A("version", 10.5))),
            ],
            "langfuse-sdk",
            "5.1.0",
            [
                new OtlpTestSpan(TraceA, "eee19b7ec3c1b174", null, "handle-request", 2, Start, Start + 1_000_000_000,
                    [
                        A("langfuse.trace.name", "support-bot"),
                        A("user.id", "u-1"),
                        A("session.id", 42L),
                        A("langfuse.release", "r1"),
                        A("langfuse.trace.version", "v2"),
                        A("langfuse.trace.tags", "beta, eu,,"),
                        A("langfuse.trace.public", true),
                        A("langfuse.trace.metadata", """{"tenant":"acme","tier":"gold"}"""),
                        A("langfuse.trace.metadata.tier", "platinum"),
                        A("langfuse.trace.metadata.region", """{"code":"eu-1"}"""),
                        A("langfuse.internal.as_root", true),
                        A("input.value", """{"question":"refund?"}"""),
                        A("output.value", "plain answer"),
                        A("http.route", "/chat"),
                        A("langfuse.observation.level", "warning"),
                        A("retries", 2L),
                        A("ratio", 0.25),
                        A("flag", false),
                        A("blob", new byte[] { 1, 2, 3 }),
                        A("list", new OtlpArray("x", 1L, null)),
                        A("dup", "first"),
                        A("nothing", null),
                        A("dup", "second"),
                    ],
                    [("exception", Start + 500, [A("exception.message", "boom"), A("exception.type", "IOException")])],
                    StatusCode: 2),
                new OtlpTestSpan(TraceA, "aae19b7ec3c1b175", "eee19b7ec3c1b174", "chat gpt-4o", 3, Start + 100, Start + 900,
                    [
                        A("gen_ai.operation.name", "chat"),
                        A("gen_ai.request.model", "gpt-4o"),
                        A("gen_ai.response.model", "gpt-4o-2024-08-06"),
                        A("gen_ai.request.temperature", 0.2),
                        A("gen_ai.request.max_tokens", 256L),
                        A("gen_ai.usage.input_tokens", 10L),
                        A("gen_ai.usage.output_tokens", 20L),
                        A("gen_ai.usage.cost", 0.0015),
                        A("llm.token_count.prompt", 11L),
                        A("gen_ai.system_instructions", "Be brief."),
                        A("gen_ai.input.messages", """[{"role":"user","content":"hi"}]"""),
                        A("gen_ai.output.messages", new OtlpArray(new OtlpKeyValues(A("role", "assistant"), A("content", "hello")))),
                        A("langfuse.observation.model.parameters", """{"temperature":0.1,"top_p":0.9}"""),
                        A("langfuse.observation.prompt.name", "greet"),
                        A("langfuse.observation.prompt.version", 3L),
                        A("langfuse.observation.completion_start_time", "\"2025-11-23T10:00:00.5Z\""),
                        A("langfuse.environment", "prod"),
                        A("langfuse.version", "7"),
                        A("langfuse.observation.metadata.step", 3L),
                    ],
                    []),
                new OtlpTestSpan(TraceA, "bbe19b7ec3c1b176", "eee19b7ec3c1b174", "lookup", 1, Start + 200, Start + 300,
                    [
                        A("langfuse.observation.type", "tool"),
                        A("openinference.span.kind", "LLM"),
                        A("gen_ai.prompt.1.role", "assistant"),
                        A("gen_ai.prompt.0.role", "user"),
                        A("gen_ai.prompt.0.content", "find order"),
                        A("gen_ai.prompt.1.content", """{"ok":true}"""),
                        A("gen_ai.completion.0.content", "done"),
                        A("langfuse.observation.usage_details", """{"input":5,"output":"6","bad":-1}"""),
                        A("langfuse.observation.cost_details", """{"input":0.001,"total":0.003}"""),
                        A("gen_ai.usage.cost", 0.5),
                        A("langfuse.observation.metadata", """{"source":"cache","step":1}"""),
                        A("langfuse.observation.metadata.step", 2L),
                        A("langfuse.observation.prompt.version", 4L),
                    ],
                    [("gen_ai.user.message", Start + 210, [A("content", "ignored: the indexed prompt wins")])]),
            ]),
        new OtlpResourceSpans(
            [],
            string.Empty,
            null,
            [
                new OtlpTestSpan(TraceB, "c1c2c3c4c5c6c7c8", "d1d2d3d4d5d6d7d8", "retrieve", 1, Start + 400, Start + 800,
                    [
                        A("langfuse.internal.as_root", true),
                        A("openinference.span.kind", "retriever"),
                        A("langfuse.observation.status_message", "custom"),
                        A("langfuse.trace.tags", """["x",2,null,{"k":1}]"""),
                    ],
                    [
                        ("gen_ai.user.message", Start + 410, [A("content", "q?"), A("role", "user")]),
                        ("gen_ai.choice", Start + 790, [A("message", """{"role":"assistant","content":"a"}"""), A("index", 0L)]),
                        ("gen_ai.system.message", Start + 405, [A("content", "sys")]),
                    ],
                    StatusCode: 2,
                    StatusMessage: "failed"),
                new OtlpTestSpan(TraceC, "e1e2e3e4e5e6e7e8", "f1f2f3f4f5f6f7f8", "orphan", 1, Start + 500, 0,
                    [A("gen_ai.request.model", "m"), A("llm.token_count.total", "12")],
                    []),
                new OtlpTestSpan(TraceD, "0a0b0c0d0e0f0a0b", "1a1b1c1d1e1f1a1b", "child", 1, Start + 600, Start + 700,
                    [
                        A("langfuse.user.id", "u-9"),
                        A("gen_ai.tool.call.id", "call-1"),
                        A("gen_ai.tool.call.arguments", """{"q":"x"}"""),
                        A("gen_ai.tool.call.result", "[1,2"),
                        A("traceloop.entity.output", "traceloop: the first of the output keys present wins"),
                    ],
                    []),
            ]),
    ]);

    [Fact]
    public async Task An_otlp_json_export_is_stored_as_the_expected_langfuse_events()
    {
        Assert.Equal(Canonical(Expected), Canonical(await ExportAsync(Export.ToJson(), "application/json")));
    }

    [Fact]
    public async Task The_same_export_in_protobuf_is_stored_as_the_same_events()
    {
        Assert.Equal(Canonical(Expected), Canonical(await ExportAsync(Export.ToProtobuf(), "application/x-protobuf")));
    }

    private async Task<string> ExportAsync(byte[] payload, string contentType)
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await Client.PostAsync("/api/public/otel/v1/traces", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var stored in await StoredEventsAsync())
            {
                json.WriteStartObject();
                foreach (var property in new[] { "eventId", "type", "entityId", "body" })
                {
                    json.WritePropertyName(property);
                    stored.GetProperty(property).WriteTo(json);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The events with every object's keys in order and every number in one notation, one event a line.</summary>
    private static string Canonical(string events)
    {
        using var document = JsonDocument.Parse(events);
        return string.Join('\n', document.RootElement.EnumerateArray().Select(e =>
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                WriteCanonical(json, e);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }));
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    json.WritePropertyName(property.Name);
                    WriteCanonical(json, property.Value);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(json, item);
                }

                json.WriteEndArray();
                break;
            case JsonValueKind.Number:
                json.WriteNumberValue(element.GetDouble());
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    /// <summary>What the mapping stored for <see cref="Export"/> before it wrote events straight from the decoded spans.</summary>
    private const string Expected = """
        [
        {"body":{"environment":"staging","id":"5b8efff798038103d269b633813fc60c","input":{"question":"refund?"},"metadata":{"region":{"code":"eu-1"},"tenant":"acme","tier":"platinum"},"name":"support-bot","output":"plain answer","public":true,"release":"r1","sessionId":"42","tags":["beta","eu"],"timestamp":"2025-11-23T10:00:00.0000000Z","userId":"u-1","version":"v2"},"entityId":"5b8efff798038103d269b633813fc60c","eventId":"otel-trace-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174","type":"trace-create"},
        {"body":{"endTime":"2025-11-23T10:00:01.0000000Z","environment":"staging","id":"eee19b7ec3c1b174","input":{"question":"refund?"},"level":"WARNING","metadata":{"attributes":{"blob":"AQID","dup":"second","flag":false,"http.route":"/chat","langfuse.internal.as_root":true,"list":["x",1,null],"nothing":null,"ratio":0.25,"retries":2},"resourceAttributes":{"deployment.environment.name":"staging","host.ids":[1,"a"],"process.runtime":{"name":"dotnet","version":10.5},"service.name":"shop"},"scope":{"name":"langfuse-sdk","version":"5.1.0"}},"name":"handle-request","output":"plain answer","startTime":"2025-11-23T10:00:00.0000000Z","statusMessage":"boom","traceId":"5b8efff798038103d269b633813fc60c"},"entityId":"eee19b7ec3c1b174","eventId":"otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174","type":"span-create"},
        {"body":{"completionStartTime":"2025-11-23T10:00:00.5Z","costDetails":{"total":0.0015},"endTime":"2025-11-23T10:00:00.0000009Z","environment":"prod","id":"aae19b7ec3c1b175","input":[{"content":"Be brief.","role":"system"},{"content":"hi","role":"user"}],"metadata":{"attributes":{"llm.token_count.prompt":11},"resourceAttributes":{"deployment.environment.name":"staging","host.ids":[1,"a"],"process.runtime":{"name":"dotnet","version":10.5},"service.name":"shop"},"scope":{"name":"langfuse-sdk","version":"5.1.0"},"step":3},"model":"gpt-4o-2024-08-06","modelParameters":{"max_tokens":256,"temperature":0.2,"top_p":0.9},"name":"chat gpt-4o","output":[{"content":"hello","role":"assistant"}],"parentObservationId":"eee19b7ec3c1b174","promptName":"greet","promptVersion":3,"startTime":"2025-11-23T10:00:00.0000001Z","traceId":"5b8efff798038103d269b633813fc60c","usageDetails":{"input":10,"input_tokens":10,"output":20,"output_tokens":20},"version":"7"},"entityId":"aae19b7ec3c1b175","eventId":"otel-5b8efff798038103d269b633813fc60c-aae19b7ec3c1b175","type":"generation-create"},
        {"body":{"costDetails":{"input":0.001,"total":0.003},"endTime":"2025-11-23T10:00:00.0000003Z","environment":"staging","id":"bbe19b7ec3c1b176","input":[{"content":"find order","role":"user"},{"content":{"ok":true},"role":"assistant"}],"metadata":{"attributes":{"langfuse.observation.prompt.version":4,"openinference.span.kind":"LLM"},"resourceAttributes":{"deployment.environment.name":"staging","host.ids":[1,"a"],"process.runtime":{"name":"dotnet","version":10.5},"service.name":"shop"},"scope":{"name":"langfuse-sdk","version":"5.1.0"},"source":"cache","step":2},"name":"lookup","output":[{"content":"done"}],"parentObservationId":"eee19b7ec3c1b174","startTime":"2025-11-23T10:00:00.0000002Z","traceId":"5b8efff798038103d269b633813fc60c","usageDetails":{"input":5,"output":6}},"entityId":"bbe19b7ec3c1b176","eventId":"otel-5b8efff798038103d269b633813fc60c-bbe19b7ec3c1b176","type":"tool-create"},
        {"body":{"id":"0102030405060708090a0b0c0d0e0f10","input":[{"content":"q?","role":"user"},{"content":"sys"}],"name":"retrieve","output":[{"index":0,"message":{"content":"a","role":"assistant"}}],"tags":["x","2","{\u0022k\u0022:1}"],"timestamp":"2025-11-23T10:00:00.0000004Z"},"entityId":"0102030405060708090a0b0c0d0e0f10","eventId":"otel-trace-0102030405060708090a0b0c0d0e0f10-c1c2c3c4c5c6c7c8","type":"trace-create"},
        {"body":{"endTime":"2025-11-23T10:00:00.0000008Z","id":"c1c2c3c4c5c6c7c8","input":[{"content":"q?","role":"user"},{"content":"sys"}],"level":"ERROR","name":"retrieve","output":[{"index":0,"message":{"content":"a","role":"assistant"}}],"parentObservationId":"d1d2d3d4d5d6d7d8","startTime":"2025-11-23T10:00:00.0000004Z","statusMessage":"custom","traceId":"0102030405060708090a0b0c0d0e0f10"},"entityId":"c1c2c3c4c5c6c7c8","eventId":"otel-0102030405060708090a0b0c0d0e0f10-c1c2c3c4c5c6c7c8","type":"retriever-create"},
        {"body":{"id":"e1e2e3e4e5e6e7e8","model":"m","name":"orphan","parentObservationId":"f1f2f3f4f5f6f7f8","startTime":"2025-11-23T10:00:00.0000005Z","traceId":"1112131415161718191a1b1c1d1e1f20","usageDetails":{"total":12}},"entityId":"e1e2e3e4e5e6e7e8","eventId":"otel-1112131415161718191a1b1c1d1e1f20-e1e2e3e4e5e6e7e8","type":"generation-create"},
        {"body":{"id":"2122232425262728292a2b2c2d2e2f30","userId":"u-9"},"entityId":"2122232425262728292a2b2c2d2e2f30","eventId":"otel-trace-2122232425262728292a2b2c2d2e2f30-0a0b0c0d0e0f0a0b","type":"trace-create"},
        {"body":{"endTime":"2025-11-23T10:00:00.0000007Z","id":"0a0b0c0d0e0f0a0b","input":{"q":"x"},"metadata":{"attributes":{"gen_ai.tool.call.id":"call-1","gen_ai.tool.call.result":"[1,2"}},"name":"child","output":"traceloop: the first of the output keys present wins","parentObservationId":"1a1b1c1d1e1f1a1b","startTime":"2025-11-23T10:00:00.0000006Z","traceId":"2122232425262728292a2b2c2d2e2f30"},"entityId":"0a0b0c0d0e0f0a0b","eventId":"otel-2122232425262728292a2b2c2d2e2f30-0a0b0c0d0e0f0a0b","type":"tool-create"},
        {"body":{"id":"1112131415161718191a1b1c1d1e1f20"},"entityId":"1112131415161718191a1b1c1d1e1f20","eventId":"otel-trace-1112131415161718191a1b1c1d1e1f20","type":"trace-create"}
        ]
        """;
}
