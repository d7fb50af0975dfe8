using System.Text.Json;
using Google.Protobuf;

namespace TraceIngest.Tests.Otlp;

/// <summary>
/// An OTLP trace export described once and encoded both ways an exporter sends it: OTLP/JSON and the protobuf
/// <c>ExportTraceServiceRequest</c> (field numbers from opentelemetry-proto). Attribute values are string, bool,
/// long, double, byte[], <see cref="OtlpArray"/>, <see cref="OtlpKeyValues"/> or null (an AnyValue with nothing set).
/// </summary>
public sealed record OtlpExport(IReadOnlyList<OtlpResourceSpans> Resources)
{
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("resourceSpans");
            foreach (var resource in Resources)
            {
                json.WriteStartObject();
                json.WriteStartObject("resource");
                WriteAttributes(json, resource.Attributes);
                json.WriteEndObject();
                json.WriteStartArray("scopeSpans");
                json.WriteStartObject();
                json.WriteStartObject("scope");
                json.WriteString("name", resource.ScopeName);
                if (resource.ScopeVersion is not null)
                {
                    json.WriteString("version", resource.ScopeVersion);
                }

                json.WriteEndObject();
                json.WriteStartArray("spans");
                foreach (var span in resource.Spans)
                {
                    WriteSpan(json, span);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    public byte[] ToProtobuf() =>
        Message(output =>
        {
            foreach (var resource in Resources)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(Message(resourceSpans =>
                {
                    resourceSpans.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    resourceSpans.WriteBytes(Message(r => WriteAttributes(r, 1, resource.Attributes)));
                    resourceSpans.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    resourceSpans.WriteBytes(Message(scopeSpans =>
                    {
                        scopeSpans.WriteTag(1, WireFormat.WireType.LengthDelimited);
                        scopeSpans.WriteBytes(Message(scope =>
                        {
                            scope.WriteTag(1, WireFormat.WireType.LengthDelimited);
                            scope.WriteString(resource.ScopeName);
                            if (resource.ScopeVersion is not null)
                            {
                                scope.WriteTag(2, WireFormat.WireType.LengthDelimited);
                                scope.WriteString(resource.ScopeVersion);
                            }
                        }));
                        foreach (var span in resource.Spans)
                        {
                            scopeSpans.WriteTag(2, WireFormat.WireType.LengthDelimited);
                            scopeSpans.WriteBytes(Message(s => WriteSpan(s, span)));
                        }
                    }));
                }));
            }
        }).ToByteArray();

    private static void WriteSpan(Utf8JsonWriter json, OtlpTestSpan span)
    {
        json.WriteStartObject();
        json.WriteString("traceId", span.TraceId);
        json.WriteString("spanId", span.SpanId);
        if (span.ParentSpanId is not null)
        {
            json.WriteString("parentSpanId", span.ParentSpanId);
        }

        json.WriteString("name", span.Name);
        json.WriteNumber("kind", span.Kind);
        json.WriteString("startTimeUnixNano", span.StartTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("endTimeUnixNano", span.EndTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteAttributes(json, span.Attributes);
        json.WriteStartArray("events");
        foreach (var (name, time, attributes) in span.Events)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("timeUnixNano", time.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteAttributes(json, attributes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("status");
        json.WriteNumber("code", span.StatusCode);
        if (span.StatusMessage is not null)
        {
            json.WriteString("message", span.StatusMessage);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>> attributes)
    {
        json.WriteStartArray("attributes");
        foreach (var (key, value) in attributes)
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WritePropertyName("value");
            WriteAnyValue(json, value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteAnyValue(Utf8JsonWriter json, object? value)
    {
        json.WriteStartObject();
        switch (value)
        {
            case string text: json.WriteString("stringValue", text); break;
            case bool flag: json.WriteBoolean("boolValue", flag); break;
            case long number: json.WriteString("intValue", number.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case double number: json.WriteNumber("doubleValue", number); break;
            case byte[] bytes: json.WriteBase64String("bytesValue", bytes); break;
            case OtlpArray array:
                json.WriteStartObject("arrayValue");
                json.WriteStartArray("values");
                foreach (var item in array.Values)
                {
                    WriteAnyValue(json, item);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                break;
            case OtlpKeyValues list:
                json.WriteStartObject("kvlistValue");
                json.WriteStartArray("values");
                foreach (var (key, item) in list.Values)
                {
                    json.WriteStartObject();
                    json.WriteString("key", key);
                    json.WritePropertyName("value");
                    WriteAnyValue(json, item);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteSpan(CodedOutputStream output, OtlpTestSpan span)
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(Convert.FromHexString(span.TraceId)));
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(Convert.FromHexString(span.SpanId)));
        if (span.ParentSpanId is not null)
        {
            output.WriteTag(4, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Convert.FromHexString(span.ParentSpanId)));
        }

        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteString(span.Name);
        output.WriteTag(6, WireFormat.WireType.Varint);
        output.WriteEnum(span.Kind);
        output.WriteTag(7, WireFormat.WireType.Fixed64);
        output.WriteFixed64(span.StartTimeUnixNano);
        output.WriteTag(8, WireFormat.WireType.Fixed64);
        output.WriteFixed64(span.EndTimeUnixNano);
        WriteAttributes(output, 9, span.Attributes);
        foreach (var (name, time, attributes) in span.Events)
        {
            output.WriteTag(11, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.Fixed64);
                e.WriteFixed64(time);
                e.WriteTag(2, WireFormat.WireType.LengthDelimited);
                e.WriteString(name);
                WriteAttributes(e, 3, attributes);
            }));
        }

        output.WriteTag(15, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(status =>
        {
            if (span.StatusMessage is not null)
            {
                status.WriteTag(2, WireFormat.WireType.LengthDelimited);
                status.WriteString(span.StatusMessage);
            }

            status.WriteTag(3, WireFormat.WireType.Varint);
            status.WriteEnum(span.StatusCode);
        }));
    }

    private static void WriteAttributes(CodedOutputStream output, int field, IEnumerable<KeyValuePair<string, object?>> attributes)
    {
        foreach (var (key, value) in attributes)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(KeyValue(key, value));
        }
    }

    private static ByteString KeyValue(string key, object? value) =>
        Message(pair =>
        {
            pair.WriteTag(1, WireFormat.WireType.LengthDelimited);
            pair.WriteString(key);
            pair.WriteTag(2, WireFormat.WireType.LengthDelimited);
            pair.WriteBytes(AnyValue(value));
        });

    private static ByteString AnyValue(object? value) =>
        Message(output =>
        {
            switch (value)
            {
                case string text: output.WriteTag(1, WireFormat.WireType.LengthDelimited); output.WriteString(text); break;
                case bool flag: output.WriteTag(2, WireFormat.WireType.Varint); output.WriteBool(flag); break;
                case long number: output.WriteTag(3, WireFormat.WireType.Varint); output.WriteInt64(number); break;
                case double number: output.WriteTag(4, WireFormat.WireType.Fixed64); output.WriteDouble(number); break;
                case OtlpArray array:
                    output.WriteTag(5, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(Message(values =>
                    {
                        foreach (var item in array.Values)
                        {
                            values.WriteTag(1, WireFormat.WireType.LengthDelimited);
                            values.WriteBytes(AnyValue(item));
                        }
                    }));
                    break;
                case OtlpKeyValues list:
                    output.WriteTag(6, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(Message(values =>
                    {
                        foreach (var (key, item) in list.Values)
                        {
                            values.WriteTag(1, WireFormat.WireType.LengthDelimited);
                            values.WriteBytes(KeyValue(key, item));
                        }
                    }));
                    break;
                case byte[] bytes: output.WriteTag(7, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(bytes)); break;
            }
        });

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }
}

public sealed record OtlpResourceSpans(
    IReadOnlyList<KeyValuePair<string, object?>> Attributes, string ScopeName, string? ScopeVersion, IReadOnlyList<OtlpTestSpan> Spans);

public sealed record OtlpTestSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    int Kind,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    IReadOnlyList<KeyValuePair<string, object?>> Attributes,
    IReadOnlyList<(string Name, ulong TimeUnixNano, IReadOnlyList<KeyValuePair<string, object?>> Attributes)> Events,
    int StatusCode = 0,
    string? StatusMessage = null);

public sealed record OtlpArray(params object?[] Values);

public sealed record OtlpKeyValues(params KeyValuePair<string, object?>[] Values);
