namespace TraceIngest.Otlp;

/// <summary>
/// Decodes an OTLP/HTTP protobuf <c>ExportTraceServiceRequest</c> straight from the wire format, written from the
/// opentelemetry-proto field numbers: only the fields the mapping needs are kept, unknown fields are skipped, so
/// newer exporters keep working. Each span is handed over as soon as it is decoded.
/// </summary>
public static class OtlpProtobufReader
{
    /// <summary>AnyValues nest (arrays of arrays); deeper than this is an attack, not telemetry.</summary>
    private const int MaxValueDepth = 64;

    public static void Read(ReadOnlySpan<byte> payload, Action<OtlpSpan> onSpan)
    {
        var span = new OtlpSpan();
        var request = new ProtobufWireReader(payload);
        while (request.Next(out var field, out var type))
        {
            if (field == 1 && type == WireType.LengthDelimited)
            {
                ReadResourceSpans(request.ReadLengthDelimited(), span, onSpan);
            }
            else
            {
                request.Skip(field, type);
            }
        }
    }

    private static void ReadResourceSpans(ReadOnlySpan<byte> message, OtlpSpan span, Action<OtlpSpan> onSpan)
    {
        // The resource may follow its spans on the wire: find it first, then decode the scopes.
        var resource = TryFindLast(message, 1, out var resourceMessage) ? ReadResource(resourceMessage) : new OtlpResource(new OtlpAttributes());
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == 2 && type == WireType.LengthDelimited)
            {
                ReadScopeSpans(fields.ReadLengthDelimited(), resource, span, onSpan);
            }
            else
            {
                fields.Skip(field, type);
            }
        }
    }

    /// <summary>The last occurrence of a length-delimited field (a repeated singular field: the last one counts).</summary>
    private static bool TryFindLast(ReadOnlySpan<byte> message, int wanted, out ReadOnlySpan<byte> value)
    {
        value = default;
        var found = false;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == wanted && type == WireType.LengthDelimited)
            {
                value = fields.ReadLengthDelimited();
                found = true;
            }
            else
            {
                fields.Skip(field, type);
            }
        }

        return found;
    }

    private static OtlpResource ReadResource(ReadOnlySpan<byte> message)
    {
        var attributes = new OtlpAttributes();
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == 1 && type == WireType.LengthDelimited)
            {
                ReadKeyValue(fields.ReadLengthDelimited(), attributes, 0);
            }
            else
            {
                fields.Skip(field, type);
            }
        }

        return new OtlpResource(attributes);
    }

    private static void ReadScopeSpans(ReadOnlySpan<byte> message, OtlpResource resource, OtlpSpan span, Action<OtlpSpan> onSpan)
    {
        var scope = TryFindLast(message, 1, out var scopeMessage) ? ReadScope(scopeMessage) : OtlpScope.None;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == 2 && type == WireType.LengthDelimited)
            {
                ReadSpan(fields.ReadLengthDelimited(), scope, resource, span);
                onSpan(span);
            }
            else
            {
                fields.Skip(field, type);
            }
        }
    }

    private static OtlpScope ReadScope(ReadOnlySpan<byte> message)
    {
        var name = string.Empty;
        string? version = null;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == WireType.LengthDelimited: name = fields.ReadString(); break;
                case 2 when type == WireType.LengthDelimited: version = fields.ReadString(); break;
                default: fields.Skip(field, type); break;
            }
        }

        return new OtlpScope(name, version);
    }

    private static void ReadSpan(ReadOnlySpan<byte> message, OtlpScope scope, OtlpResource resource, OtlpSpan span)
    {
        span.Reset(scope, resource);
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == WireType.LengthDelimited: span.TraceId = Convert.ToHexStringLower(fields.ReadLengthDelimited()); break;
                case 2 when type == WireType.LengthDelimited: span.SpanId = Convert.ToHexStringLower(fields.ReadLengthDelimited()); break;
                case 4 when type == WireType.LengthDelimited: span.ParentSpanId = Convert.ToHexStringLower(fields.ReadLengthDelimited()); break;
                case 5 when type == WireType.LengthDelimited: span.Name = fields.ReadString(); break;
                case 6 when type == WireType.Varint: span.Kind = (int)fields.ReadVarint(); break;
                case 7 when type == WireType.Fixed64: span.StartTimeUnixNano = fields.ReadFixed64(); break;
                case 8 when type == WireType.Fixed64: span.EndTimeUnixNano = fields.ReadFixed64(); break;
                case 9 when type == WireType.LengthDelimited: ReadKeyValue(fields.ReadLengthDelimited(), span.Attributes, 0); break;
                case 11 when type == WireType.LengthDelimited: span.Events.Add(ReadEvent(fields.ReadLengthDelimited())); break;
                case 15 when type == WireType.LengthDelimited: ReadStatus(fields.ReadLengthDelimited(), span); break;
                default: fields.Skip(field, type); break;
            }
        }

        if (string.IsNullOrEmpty(span.ParentSpanId))
        {
            span.ParentSpanId = null;
        }
    }

    private static OtlpSpanEvent ReadEvent(ReadOnlySpan<byte> message)
    {
        ulong time = 0;
        var name = string.Empty;
        var attributes = new OtlpAttributes();
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == WireType.Fixed64: time = fields.ReadFixed64(); break;
                case 2 when type == WireType.LengthDelimited: name = fields.ReadString(); break;
                case 3 when type == WireType.LengthDelimited: ReadKeyValue(fields.ReadLengthDelimited(), attributes, 0); break;
                default: fields.Skip(field, type); break;
            }
        }

        return new OtlpSpanEvent(name, time, attributes);
    }

    private static void ReadStatus(ReadOnlySpan<byte> message, OtlpSpan span)
    {
        string? statusMessage = null;
        var code = 0;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            switch (field)
            {
                case 2 when type == WireType.LengthDelimited: statusMessage = fields.ReadString(); break;
                case 3 when type == WireType.Varint: code = (int)fields.ReadVarint(); break;
                default: fields.Skip(field, type); break;
            }
        }

        span.StatusCode = code;
        span.StatusMessage = string.IsNullOrEmpty(statusMessage) ? null : statusMessage;
    }

    private static void ReadKeyValue(ReadOnlySpan<byte> message, OtlpAttributes into, int depth)
    {
        var key = string.Empty;
        OtlpValue value = default;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == WireType.LengthDelimited: key = fields.ReadString(); break;
                case 2 when type == WireType.LengthDelimited: value = ReadAnyValue(fields.ReadLengthDelimited(), depth); break;
                default: fields.Skip(field, type); break;
            }
        }

        into.Set(key, value);
    }

    private static OtlpValue ReadAnyValue(ReadOnlySpan<byte> message, int depth)
    {
        if (depth > MaxValueDepth)
        {
            throw new OtlpFormatException($"Invalid OTLP protobuf: attribute values nested deeper than {MaxValueDepth}");
        }

        OtlpValue value = default;
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            value = (field, type) switch
            {
                (1, WireType.LengthDelimited) => OtlpValue.String(fields.ReadString()),
                (2, WireType.Varint) => OtlpValue.Bool(fields.ReadVarint() != 0),
                (3, WireType.Varint) => OtlpValue.Int((long)fields.ReadVarint()),
                (4, WireType.Fixed64) => OtlpValue.Double(BitConverter.UInt64BitsToDouble(fields.ReadFixed64())),
                (5, WireType.LengthDelimited) => ReadArray(fields.ReadLengthDelimited(), depth + 1),
                (6, WireType.LengthDelimited) => ReadKeyValueList(fields.ReadLengthDelimited(), depth + 1),
                (7, WireType.LengthDelimited) => OtlpValue.String(Convert.ToBase64String(fields.ReadLengthDelimited())),
                _ => Skip(ref fields, field, type, value),
            };
        }

        return value;
    }

    private static OtlpValue Skip(ref ProtobufWireReader fields, int field, WireType type, OtlpValue current)
    {
        fields.Skip(field, type);
        return current;
    }

    private static OtlpValue ReadArray(ReadOnlySpan<byte> message, int depth)
    {
        var items = new List<OtlpValue>();
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == 1 && type == WireType.LengthDelimited)
            {
                items.Add(ReadAnyValue(fields.ReadLengthDelimited(), depth));
            }
            else
            {
                fields.Skip(field, type);
            }
        }

        return OtlpValue.Array(items);
    }

    private static OtlpValue ReadKeyValueList(ReadOnlySpan<byte> message, int depth)
    {
        var pairs = new OtlpAttributes();
        var fields = new ProtobufWireReader(message);
        while (fields.Next(out var field, out var type))
        {
            if (field == 1 && type == WireType.LengthDelimited)
            {
                ReadKeyValue(fields.ReadLengthDelimited(), pairs, depth);
            }
            else
            {
                fields.Skip(field, type);
            }
        }

        return OtlpValue.KeyValues(pairs);
    }
}
