using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TraceIngest.Tests.Otlp;

public sealed class OtlpApiTests() : IngestServiceTest("otel")
{
    private static JsonElement Body(IEnumerable<JsonElement> events, string type, string entityId) =>
        events.Single(e => e.GetProperty("type").GetString() == type && e.GetProperty("entityId").GetString() == entityId).GetProperty("body");

    [Fact]
    public async Task The_dotnet_otlp_exporter_over_http_protobuf_delivers_genai_spans_as_generations()
    {
        var source = new ActivitySource($"otlp-test-{Guid.NewGuid():N}");
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("shop-api").AddAttributes([new("deployment.environment.name", "staging")]))
            .AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = new Uri(Host.BaseAddress, "/api/public/otel/v1/traces");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Headers = "Authorization=Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{PublicKey}:{SecretKey}"));
                exporter.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (var root = source.StartActivity("answer-question", ActivityKind.Server)!)
            {
                root.SetTag("user.id", "user-7");
                root.SetTag("session.id", "session-3");
                using (var chat = source.StartActivity("chat gpt-4o", ActivityKind.Client)!)
                {
                    chat.SetTag("gen_ai.operation.name", "chat");
                    chat.SetTag("gen_ai.request.model", "gpt-4o");
                    chat.SetTag("gen_ai.response.model", "gpt-4o-2024-08-06");
                    chat.SetTag("gen_ai.request.temperature", 0.2);
                    chat.SetTag("gen_ai.usage.input_tokens", 10L);
                    chat.SetTag("gen_ai.usage.output_tokens", 20L);
                    chat.SetTag("http.route", "/chat");
                }

                using (var failing = source.StartActivity("lookup")!)
                {
                    failing.SetStatus(ActivityStatusCode.Error, "index unavailable");
                }
            }

            tracing.ForceFlush();
        }

        var events = await StoredEventsAsync();
        // The simple processor exports each span as it ends: the children first, each with a shallow trace.
        var traces = events.Where(e => e.GetProperty("type").GetString() == "trace-create").ToList();
        var traceId = traces.Select(e => e.GetProperty("entityId").GetString()).Distinct().Single()!;
        var trace = traces.Single(e => e.GetProperty("body").TryGetProperty("name", out _)).GetProperty("body");
        var generation = events.Single(e => e.GetProperty("type").GetString() == "generation-create").GetProperty("body");
        var failed = events.Single(e => e.GetProperty("type").GetString() == "span-create" && e.GetProperty("body").GetProperty("name").GetString() == "lookup").GetProperty("body");

        Assert.Equal(("answer-question", "user-7", "session-3", "staging"),
            (trace.GetProperty("name").GetString(), trace.GetProperty("userId").GetString(), trace.GetProperty("sessionId").GetString(), trace.GetProperty("environment").GetString()));
        Assert.Equal("gpt-4o-2024-08-06", generation.GetProperty("model").GetString());
        Assert.Equal(10, generation.GetProperty("usageDetails").GetProperty("input").GetInt64());
        Assert.Equal(20, generation.GetProperty("usageDetails").GetProperty("output").GetInt64());
        Assert.Equal(0.2, generation.GetProperty("modelParameters").GetProperty("temperature").GetDouble());
        Assert.Equal(traceId, generation.GetProperty("traceId").GetString());
        Assert.True(generation.TryGetProperty("parentObservationId", out _));
        Assert.Equal("/chat", generation.GetProperty("metadata").GetProperty("attributes").GetProperty("http.route").GetString());
        Assert.Equal("shop-api", generation.GetProperty("metadata").GetProperty("resourceAttributes").GetProperty("service.name").GetString());
        Assert.Equal(("ERROR", "index unavailable"), (failed.GetProperty("level").GetString(), failed.GetProperty("statusMessage").GetString()));
    }

    private const string LangfuseStyleExport = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},
          "scopeSpans":[{"scope":{"name":"langfuse-sdk","version":"5.0.0"},"spans":[
            {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"root",
             "startTimeUnixNano":"1763892000000000000","endTimeUnixNano":"1763892001000000000","kind":1,
             "attributes":[
               {"key":"langfuse.trace.name","value":{"stringValue":"support-bot"}},
               {"key":"langfuse.trace.tags","value":{"arrayValue":{"values":[{"stringValue":"beta"},{"stringValue":"eu"}]}}},
               {"key":"langfuse.trace.metadata.tenant","value":{"stringValue":"acme"}},
               {"key":"langfuse.trace.input","value":{"stringValue":"{\"question\":\"refund?\"}"}}]},
            {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"AAE19B7EC3C1B175","parentSpanId":"EEE19B7EC3C1B174","name":"llm-call",
             "startTimeUnixNano":1763892000100000000,"endTimeUnixNano":1763892000900000000,
             "attributes":[
               {"key":"langfuse.observation.type","value":{"stringValue":"generation"}},
               {"key":"langfuse.observation.model.name","value":{"stringValue":"claude-sonnet-4"}},
               {"key":"langfuse.observation.input","value":{"stringValue":"[{\"role\":\"user\",\"content\":\"refund?\"}]"}},
               {"key":"langfuse.observation.output","value":{"stringValue":"{\"role\":\"assistant\",\"content\":\"Yes.\"}"}},
               {"key":"langfuse.observation.usage_details","value":{"stringValue":"{\"input\":42,\"output\":7}"}},
               {"key":"langfuse.observation.cost_details","value":{"stringValue":"{\"total\":0.0012}"}},
               {"key":"langfuse.observation.metadata.step","value":{"intValue":"3"}},
               {"key":"retries","value":{"intValue":2}}],
             "status":{"code":0}}]}]}]}
        """;

    [Fact]
    public async Task Otlp_json_with_langfuse_attributes_maps_trace_and_generation_fields()
    {
        var response = await Client.PostAsync("/api/public/otel/v1/traces", new StringContent(LangfuseStyleExport, Encoding.UTF8, "application/json"));
        var events = await StoredEventsAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var trace = Body(events, "trace-create", "5b8efff798038103d269b633813fc60c");
        Assert.Equal("support-bot", trace.GetProperty("name").GetString());
        Assert.Equal(["beta", "eu"], trace.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("acme", trace.GetProperty("metadata").GetProperty("tenant").GetString());
        Assert.Equal("refund?", trace.GetProperty("input").GetProperty("question").GetString());
        Assert.Equal("2025-11-23T10:00:00.0000000Z", trace.GetProperty("timestamp").GetString());
        var generation = Body(events, "generation-create", "aae19b7ec3c1b175");
        Assert.Equal("claude-sonnet-4", generation.GetProperty("model").GetString());
        Assert.Equal("refund?", generation.GetProperty("input")[0].GetProperty("content").GetString());
        Assert.Equal("Yes.", generation.GetProperty("output").GetProperty("content").GetString());
        Assert.Equal(42, generation.GetProperty("usageDetails").GetProperty("input").GetInt64());
        Assert.Equal(0.0012, generation.GetProperty("costDetails").GetProperty("total").GetDouble());
        Assert.Equal(3, generation.GetProperty("metadata").GetProperty("step").GetInt64());
        Assert.Equal(2, generation.GetProperty("metadata").GetProperty("attributes").GetProperty("retries").GetInt64());
        Assert.Equal("eee19b7ec3c1b174", generation.GetProperty("parentObservationId").GetString());
        Assert.Equal("2025-11-23T10:00:00.9000000Z", generation.GetProperty("endTime").GetString());
    }

    [Fact]
    public async Task A_child_span_of_an_unseen_trace_still_gets_a_trace()
    {
        const string export = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718",
              "parentSpanId":"2122232425262728","name":"late child","startTimeUnixNano":"1763892000000000000"}]}]}]}
            """;

        await Client.PostAsync("/api/public/otel/v1/traces", new StringContent(export, Encoding.UTF8, "application/json"));
        var events = await StoredEventsAsync();

        Assert.Equal("0102030405060708090a0b0c0d0e0f10", Body(events, "trace-create", "0102030405060708090a0b0c0d0e0f10").GetProperty("id").GetString());
        Assert.Equal("0102030405060708090a0b0c0d0e0f10", Body(events, "span-create", "1112131415161718").GetProperty("traceId").GetString());
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task Gzip_encoded_json_export_is_accepted()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(LangfuseStyleExport), TestContext.Current.CancellationToken);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await Client.PostAsync("/api/public/otel/v1/traces", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(await StoredEventsAsync());
    }

    public static TheoryData<string, byte[], string, HttpStatusCode> BadExports => new()
    {
        { "truncated protobuf", [0x0A, 0xFF, 0x01, 0x02], "application/x-protobuf", HttpStatusCode.BadRequest },
        { "ids not hex", Encoding.UTF8.GetBytes("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not-hex!","spanId":"zz"}]}]}]}"""), "application/json", HttpStatusCode.BadRequest },
        { "not json", Encoding.UTF8.GetBytes("{resourceSpans"), "application/json", HttpStatusCode.BadRequest },
        { "json array", Encoding.UTF8.GetBytes("[]"), "application/json", HttpStatusCode.BadRequest },
        { "bad intValue", Encoding.UTF8.GetBytes("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","attributes":[{"key":"k","value":{"intValue":"twelve"}}]}]}]}]}"""), "application/json", HttpStatusCode.BadRequest },
        { "text/plain", Encoding.UTF8.GetBytes("{}"), "text/plain", HttpStatusCode.UnsupportedMediaType },
    };

    [Theory]
    [MemberData(nameof(BadExports))]
    public async Task Undecodable_exports_get_a_4xx_and_store_nothing(string because, byte[] payload, string contentType, HttpStatusCode expected)
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new(contentType);

        var response = await Client.PostAsync("/api/public/otel/v1/traces", content);

        Assert.True(expected == response.StatusCode, $"{because}: {response.StatusCode}");
        Assert.Empty(await Client.DrainQueueAsync(TimeSpan.FromMilliseconds(100)));
    }
}
