using System.Text.Json.Nodes;
using Google.Protobuf;

namespace TraceIngest.Otlp;

/// <summary>
/// Decodes an OTLP/HTTP protobuf <c>ExportTraceServiceRequest</c> straight from the wire format, written from the
/// opentelemetry-proto field numbers: only the fields the mapping needs are kept, unknown fields are skipped, so
/// newer exporters keep working.
/// </summary>
public static class OtlpProtobufReader
{
    public static List<OtlpSpan> Read(ReadOnlyMemory<byte> payload)
    {
        var spans = new List<OtlpSpan>();
        try
        {
            var input = new CodedInputStream(payload.ToArray());
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
                {
                    ReadResourceSpans(input.ReadBytes(), spans);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new OtlpFormatException($"Invalid OTLP protobuf: {exception.Message}", exception);
        }

        return spans;
    }

    private static uint Tag(int field, WireFormat.WireType type) => WireFormat.MakeTag(field, type);

    private static void ReadResourceSpans(ByteString bytes, List<OtlpSpan> spans)
    {
        var input = bytes.CreateCodedInput();
        Dictionary<string, JsonNode?> resource = [];
        var scopeSpans = new List<ByteString>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    resource = ReadResource(input.ReadBytes());
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    scopeSpans.Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        // The resource may follow its spans on the wire, so scopes are decoded once it is known.
        foreach (var scope in scopeSpans)
        {
            ReadScopeSpans(scope, resource, spans);
        }
    }

    private static Dictionary<string, JsonNode?> ReadResource(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var attributes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
            {
                AddKeyValue(input.ReadBytes(), attributes);
            }
            else
            {
                input.SkipLastField();
            }
        }

        return attributes;
    }

    private static void ReadScopeSpans(ByteString bytes, IReadOnlyDictionary<string, JsonNode?> resource, List<OtlpSpan> spans)
    {
        var input = bytes.CreateCodedInput();
        var scope = new OtlpScope(string.Empty, null);
        var rawSpans = new List<ByteString>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
            {
                scope = ReadScope(input.ReadBytes());
            }
            else if (tag == Tag(2, WireFormat.WireType.LengthDelimited))
            {
                rawSpans.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        foreach (var span in rawSpans)
        {
            spans.Add(ReadSpan(span, scope, resource));
        }
    }

    private static OtlpScope ReadScope(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        string name = string.Empty;
        string? version = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    name = input.ReadString();
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    version = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new OtlpScope(name, version);
    }

    private static OtlpSpan ReadSpan(ByteString bytes, OtlpScope scope, IReadOnlyDictionary<string, JsonNode?> resource)
    {
        var input = bytes.CreateCodedInput();
        string traceId = string.Empty, spanId = string.Empty, name = string.Empty;
        string? parentSpanId = null, statusMessage = null;
        int kind = 0, statusCode = 0;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var events = new List<OtlpSpanEvent>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var type = WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when type == WireFormat.WireType.LengthDelimited: traceId = Hex(input.ReadBytes()); break;
                case 2 when type == WireFormat.WireType.LengthDelimited: spanId = Hex(input.ReadBytes()); break;
                case 4 when type == WireFormat.WireType.LengthDelimited: parentSpanId = Hex(input.ReadBytes()); break;
                case 5 when type == WireFormat.WireType.LengthDelimited: name = input.ReadString(); break;
                case 6 when type == WireFormat.WireType.Varint: kind = input.ReadEnum(); break;
                case 7 when type == WireFormat.WireType.Fixed64: start = input.ReadFixed64(); break;
                case 8 when type == WireFormat.WireType.Fixed64: end = input.ReadFixed64(); break;
                case 9 when type == WireFormat.WireType.LengthDelimited: AddKeyValue(input.ReadBytes(), attributes); break;
                case 11 when type == WireFormat.WireType.LengthDelimited: events.Add(ReadEvent(input.ReadBytes())); break;
                case 15 when type == WireFormat.WireType.LengthDelimited: (statusCode, statusMessage) = ReadStatus(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }

        return new OtlpSpan(traceId, spanId, string.IsNullOrEmpty(parentSpanId) ? null : parentSpanId, name, kind, start, end,
            attributes, events, statusCode, statusMessage, scope, resource);
    }

    private static OtlpSpanEvent ReadEvent(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        ulong time = 0;
        var name = string.Empty;
        var attributes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var type = WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when type == WireFormat.WireType.Fixed64: time = input.ReadFixed64(); break;
                case 2 when type == WireFormat.WireType.LengthDelimited: name = input.ReadString(); break;
                case 3 when type == WireFormat.WireType.LengthDelimited: AddKeyValue(input.ReadBytes(), attributes); break;
                default: input.SkipLastField(); break;
            }
        }

        return new OtlpSpanEvent(name, time, attributes);
    }

    private static (int Code, string? Message) ReadStatus(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        int code = 0;
        string? message = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var type = WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 2 when type == WireFormat.WireType.LengthDelimited: message = input.ReadString(); break;
                case 3 when type == WireFormat.WireType.Varint: code = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }

        return (code, string.IsNullOrEmpty(message) ? null : message);
    }

    private static void AddKeyValue(ByteString bytes, Dictionary<string, JsonNode?> into)
    {
        var (key, value) = ReadKeyValue(bytes);
        into[key] = value;
    }

    private static (string Key, JsonNode? Value) ReadKeyValue(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var key = string.Empty;
        JsonNode? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
            {
                key = input.ReadString();
            }
            else if (tag == Tag(2, WireFormat.WireType.LengthDelimited))
            {
                value = ReadAnyValue(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return (key, value);
    }

    private static JsonNode? ReadAnyValue(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        JsonNode? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var type = WireFormat.GetTagWireType(tag);
            value = WireFormat.GetTagFieldNumber(tag) switch
            {
                1 when type == WireFormat.WireType.LengthDelimited => JsonValue.Create(input.ReadString()),
                2 when type == WireFormat.WireType.Varint => JsonValue.Create(input.ReadBool()),
                3 when type == WireFormat.WireType.Varint => JsonValue.Create(input.ReadInt64()),
                4 when type == WireFormat.WireType.Fixed64 => JsonValue.Create(input.ReadDouble()),
                5 when type == WireFormat.WireType.LengthDelimited => ReadArray(input.ReadBytes()),
                6 when type == WireFormat.WireType.LengthDelimited => ReadKeyValueList(input.ReadBytes()),
                7 when type == WireFormat.WireType.LengthDelimited => JsonValue.Create(input.ReadBytes().ToBase64()),
                _ => Skip(input, value),
            };
        }

        return value;
    }

    private static JsonNode? Skip(CodedInputStream input, JsonNode? current)
    {
        input.SkipLastField();
        return current;
    }

    private static JsonArray ReadArray(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var array = new JsonArray();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
            {
                array.Add(ReadAnyValue(input.ReadBytes()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return array;
    }

    private static JsonObject ReadKeyValueList(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var list = new JsonObject();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
            {
                var (key, value) = ReadKeyValue(input.ReadBytes());
                list[key] = value;
            }
            else
            {
                input.SkipLastField();
            }
        }

        return list;
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
