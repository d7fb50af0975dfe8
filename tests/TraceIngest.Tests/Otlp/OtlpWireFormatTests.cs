using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace TraceIngest.Tests.Otlp;

/// <summary>The corners of the OTLP encodings that exporters rarely produce and attackers readily do.</summary>
public sealed class OtlpWireFormatTests() : IngestServiceTest("otel-wire")
{
    private const string TraceId = "0102030405060708090a0b0c0d0e0f10";

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Ingestion:Masking:Rules:0:Pattern"] = @"[\w.+-]+@[\w-]+\.[\w.]+";
        settings["Ingestion:Masking:Rules:0:Replacement"] = "[EMAIL]";
    }

    [Fact]
    public async Task Unknown_fields_of_every_wire_type_are_skipped_and_a_resource_after_its_spans_still_applies()
    {
        var span = Message(s =>
        {
            Bytes(s, 1, Convert.FromHexString(TraceId));
            Bytes(s, 2, Convert.FromHexString("1112131415161718"));
            s.WriteTag(5, WireFormat.WireType.LengthDelimited);
            s.WriteString("late resource");
            s.WriteTag(16, WireFormat.WireType.Fixed32);
            s.WriteFixed32(1);
            s.WriteTag(40, WireFormat.WireType.StartGroup);
            s.WriteTag(1, WireFormat.WireType.Varint);
            s.WriteInt64(7);
            s.WriteTag(40, WireFormat.WireType.EndGroup);
        });
        var resource = Message(r => Bytes(r, 1, KeyValue("service.name", Message(v => String(v, 1, "late")))));
        var request = Message(request =>
        {
            request.WriteTag(99, WireFormat.WireType.Varint);
            request.WriteInt64(1);
            Bytes(request, 1, Message(resourceSpans =>
            {
                Bytes(resourceSpans, 2, Message(scopeSpans => Bytes(scopeSpans, 2, span)));
                Bytes(resourceSpans, 1, resource);
            }));
        });

        var response = await PostAsync(request, "application/x-protobuf");
        var events = await StoredEventsAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var observation = events.Single(e => e.GetProperty("type").GetString() == "span-create").GetProperty("body");
        Assert.Equal("late resource", observation.GetProperty("name").GetString());
        Assert.Equal("late", observation.GetProperty("metadata").GetProperty("resourceAttributes").GetProperty("service.name").GetString());
    }

    public static TheoryData<string, byte[]> MalformedProtobuf => new()
    {
        { "a length past the end", [0x0A, 0x05, 0x01] },
        { "a varint of 11 bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { "field number 0", [0x00, 0x01] },
        { "wire type 6", [0x0E] },
        { "a group without its end", [0x0B, 0x08, 0x01] },
        { "groups nested 100 deep", [.. Enumerable.Repeat((byte)0x0B, 100), .. Enumerable.Repeat((byte)0x0C, 100)] },
        { "attribute values nested 100 deep", Message(request => Bytes(request, 1, Message(rs => Bytes(rs, 2, Message(ss => Bytes(ss, 2, Message(s =>
            {
                Bytes(s, 1, Convert.FromHexString(TraceId));
                Bytes(s, 9, KeyValue("deep", Enumerable.Range(0, 100).Aggregate(Message(v => String(v, 1, "bottom")), (inner, _) => Message(v => Bytes(v, 5, Message(a => Bytes(a, 1, inner)))))));
            })))))))
        },
    };

    [Theory]
    [MemberData(nameof(MalformedProtobuf))]
    public async Task Malformed_protobuf_gets_a_400_and_stores_nothing(string because, byte[] payload)
    {
        var response = await PostAsync(payload, "application/x-protobuf");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: {response.StatusCode}");
        Assert.Empty(await Client.DrainQueueAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Non_finite_doubles_are_stored_as_strings_rather_than_failing_the_export()
    {
        var export = Encoding.UTF8.GetBytes($$$"""
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"{{{TraceId}}}","spanId":"1112131415161718","name":"n",
              "attributes":[{"key":"ratio","value":{"doubleValue":"NaN"}},{"key":"limit","value":{"doubleValue":"Infinity"}},
                            {"key":"gen_ai.usage.cost","value":{"doubleValue":"Infinity"}}]}]}]}]}
            """);

        var response = await PostAsync(export, "application/json");
        var events = await StoredEventsAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = events.Single(e => e.GetProperty("type").GetString() == "span-create").GetProperty("body");
        var attributes = body.GetProperty("metadata").GetProperty("attributes");
        Assert.Equal(("NaN", "Infinity"), (attributes.GetProperty("ratio").GetString(), attributes.GetProperty("limit").GetString()));
        Assert.Equal("Infinity", body.GetProperty("costDetails").GetProperty("total").GetString());
    }

    [Fact]
    public async Task Masking_rules_apply_to_spans_as_to_langfuse_events()
    {
        var export = new OtlpExport([new OtlpResourceSpans([], "s", null,
        [
            new OtlpTestSpan(TraceId, "1112131415161718", null, "contact", 1, 1, 2,
                [
                    KeyValuePair.Create<string, object?>("input.value", """{"from":"ada@example.com"}"""),
                    KeyValuePair.Create<string, object?>("langfuse.observation.metadata.email", "ada@example.com"),
                ],
                []),
        ])]);

        var response = await PostAsync(export.ToProtobuf(), "application/x-protobuf");
        var events = await StoredEventsAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("ada@example.com", string.Join('\n', events.Select(e => e.GetRawText())), StringComparison.Ordinal);
        var observation = events.Single(e => e.GetProperty("type").GetString() == "span-create").GetProperty("body");
        Assert.Equal("[EMAIL]", observation.GetProperty("input").GetProperty("from").GetString());
        Assert.Equal("[EMAIL]", observation.GetProperty("metadata").GetProperty("email").GetString());
        var trace = events.Single(e => e.GetProperty("type").GetString() == "trace-create").GetProperty("body");
        Assert.Equal("[EMAIL]", trace.GetProperty("input").GetProperty("from").GetString());
    }

    private Task<HttpResponseMessage> PostAsync(byte[] payload, string contentType)
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return Client.PostAsync("/api/public/otel/v1/traces", content);
    }

    private static byte[] KeyValue(string key, byte[] anyValue) =>
        Message(pair =>
        {
            String(pair, 1, key);
            Bytes(pair, 2, anyValue);
        });

    private static void String(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void Bytes(CodedOutputStream output, int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }
}
