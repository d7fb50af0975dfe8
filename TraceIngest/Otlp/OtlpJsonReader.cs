using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace TraceIngest.Otlp;

/// <summary>
/// Decodes the OTLP/JSON encoding of <c>ExportTraceServiceRequest</c>: lowerCamelCase fields, trace and span ids as
/// hex, 64-bit integers as strings or numbers, enums as integers. Unknown fields are ignored. Each span is handed
/// over as soon as it is decoded.
/// </summary>
public static class OtlpJsonReader
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static void Read(JsonElement root, Action<OtlpSpan> onSpan)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new OtlpFormatException("OTLP JSON must be an object with resourceSpans");
        }

        var span = new OtlpSpan();
        if (!TryGetArray(root, "resourceSpans", out var resourceSpansList))
        {
            return;
        }

        foreach (var resourceSpans in resourceSpansList.EnumerateArray())
        {
            var resource = new OtlpResource(new OtlpAttributes());
            if (resourceSpans.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object)
            {
                ReadAttributes(r, resource.Attributes);
            }

            if (!TryGetArray(resourceSpans, "scopeSpans", out var scopeSpansList))
            {
                continue;
            }

            foreach (var scopeSpans in scopeSpansList.EnumerateArray())
            {
                var scope = scopeSpans.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.Object
                    ? new OtlpScope(String(s, "name") ?? string.Empty, String(s, "version"))
                    : OtlpScope.None;
                if (TryGetArray(scopeSpans, "spans", out var spans))
                {
                    foreach (var element in spans.EnumerateArray())
                    {
                        ReadSpan(element, scope, resource, span);
                        onSpan(span);
                    }
                }
            }
        }
    }

    private static void ReadSpan(JsonElement element, OtlpScope scope, OtlpResource resource, OtlpSpan span)
    {
        span.Reset(scope, resource);
        span.TraceId = Id(element, "traceId") ?? throw new OtlpFormatException("a span has no traceId");
        span.SpanId = Id(element, "spanId") ?? throw new OtlpFormatException("a span has no spanId");
        if (TryGetArray(element, "events", out var events))
        {
            foreach (var e in events.EnumerateArray())
            {
                var attributes = new OtlpAttributes();
                ReadAttributes(e, attributes);
                span.Events.Add(new OtlpSpanEvent(String(e, "name") ?? string.Empty, Unsigned(e, "timeUnixNano"), attributes));
            }
        }

        span.ParentSpanId = Id(element, "parentSpanId");
        span.Name = String(element, "name") ?? string.Empty;
        span.Kind = (int)Unsigned(element, "kind");
        span.StartTimeUnixNano = Unsigned(element, "startTimeUnixNano");
        span.EndTimeUnixNano = Unsigned(element, "endTimeUnixNano");
        ReadAttributes(element, span.Attributes);
        if (element.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            span.StatusCode = (int)Unsigned(status, "code");
            span.StatusMessage = String(status, "message");
        }
    }

    private static void ReadAttributes(JsonElement owner, OtlpAttributes into)
    {
        if (!TryGetArray(owner, "attributes", out var attributes))
        {
            return;
        }

        foreach (var pair in attributes.EnumerateArray())
        {
            if (String(pair, "key") is { } key)
            {
                into.Set(key, pair.TryGetProperty("value", out var value) ? AnyValue(value) : default);
            }
        }
    }

    private static OtlpValue AnyValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        foreach (var field in value.EnumerateObject())
        {
            if (field.NameEquals("stringValue") || field.NameEquals("bytesValue"))
            {
                return OtlpValue.String(field.Value.GetString());
            }

            if (field.NameEquals("boolValue"))
            {
                return OtlpValue.Bool(field.Value.ValueKind == JsonValueKind.True);
            }

            if (field.NameEquals("intValue"))
            {
                return OtlpValue.Int(Integer(field.Value));
            }

            if (field.NameEquals("doubleValue"))
            {
                return OtlpValue.Double(field.Value.ValueKind == JsonValueKind.String ? double.Parse(field.Value.GetString()!, CultureInfo.InvariantCulture) : field.Value.GetDouble());
            }

            if (field.NameEquals("arrayValue"))
            {
                var items = new List<OtlpValue>();
                if (TryGetArray(field.Value, "values", out var values))
                {
                    foreach (var item in values.EnumerateArray())
                    {
                        items.Add(AnyValue(item));
                    }
                }

                return OtlpValue.Array(items);
            }

            if (field.NameEquals("kvlistValue"))
            {
                var pairs = new OtlpAttributes();
                if (TryGetArray(field.Value, "values", out var values))
                {
                    foreach (var pair in values.EnumerateArray())
                    {
                        if (String(pair, "key") is { } key)
                        {
                            pairs.Set(key, pair.TryGetProperty("value", out var v) ? AnyValue(v) : default);
                        }
                    }
                }

                return OtlpValue.KeyValues(pairs);
            }
        }

        return default;
    }

    private static bool TryGetArray(JsonElement owner, string property, out JsonElement array) =>
        owner.TryGetProperty(property, out array) && array.ValueKind == JsonValueKind.Array;

    private static string? String(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Id(JsonElement owner, string property)
    {
        var text = String(owner, property);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length % 2 == 0 && text.AsSpan().IndexOfAnyExcept(HexDigits) < 0
            ? text.ToLowerInvariant()
            : throw new OtlpFormatException($"{property} '{text}' is not hex-encoded (OTLP/JSON encodes ids as hex)");
    }

    private static ulong Unsigned(JsonElement owner, string property)
    {
        if (!owner.TryGetProperty(property, out var value))
        {
            return 0;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetUInt64(out var number) => number,
            JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonValueKind.Null => 0,
            _ => throw new OtlpFormatException($"{property} must be a non-negative integer"),
        };
    }

    private static long Integer(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new OtlpFormatException("intValue must be a 64-bit integer"),
        };
}
