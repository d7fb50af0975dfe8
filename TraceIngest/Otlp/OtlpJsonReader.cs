using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceIngest.Otlp;

/// <summary>
/// Decodes the OTLP/JSON encoding of <c>ExportTraceServiceRequest</c>: lowerCamelCase fields, trace and span ids as
/// hex, 64-bit integers as strings or numbers, enums as integers. Unknown fields are ignored.
/// </summary>
public static class OtlpJsonReader
{
    public static List<OtlpSpan> Read(JsonElement root)
    {
        var spans = new List<OtlpSpan>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new OtlpFormatException("OTLP JSON must be an object with resourceSpans");
        }

        foreach (var resourceSpans in Array(root, "resourceSpans"))
        {
            var resource = resourceSpans.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object
                ? Attributes(r)
                : new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var scopeSpans in Array(resourceSpans, "scopeSpans"))
            {
                var scope = scopeSpans.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.Object
                    ? new OtlpScope(String(s, "name") ?? string.Empty, String(s, "version"))
                    : new OtlpScope(string.Empty, null);
                foreach (var span in Array(scopeSpans, "spans"))
                {
                    spans.Add(ReadSpan(span, scope, resource));
                }
            }
        }

        return spans;
    }

    private static OtlpSpan ReadSpan(JsonElement span, OtlpScope scope, IReadOnlyDictionary<string, JsonNode?> resource)
    {
        var traceId = Id(span, "traceId") ?? throw new OtlpFormatException("a span has no traceId");
        var spanId = Id(span, "spanId") ?? throw new OtlpFormatException("a span has no spanId");
        var status = span.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var events = Array(span, "events")
            .Select(e => new OtlpSpanEvent(String(e, "name") ?? string.Empty, Unsigned(e, "timeUnixNano"), Attributes(e)))
            .ToList();
        return new OtlpSpan(
            traceId,
            spanId,
            Id(span, "parentSpanId"),
            String(span, "name") ?? string.Empty,
            (int)Unsigned(span, "kind"),
            Unsigned(span, "startTimeUnixNano"),
            Unsigned(span, "endTimeUnixNano"),
            Attributes(span),
            events,
            status.ValueKind == JsonValueKind.Object ? (int)Unsigned(status, "code") : 0,
            status.ValueKind == JsonValueKind.Object ? String(status, "message") : null,
            scope,
            resource);
    }

    private static Dictionary<string, JsonNode?> Attributes(JsonElement owner)
    {
        var attributes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var pair in Array(owner, "attributes"))
        {
            if (String(pair, "key") is { } key)
            {
                attributes[key] = pair.TryGetProperty("value", out var value) ? AnyValue(value) : null;
            }
        }

        return attributes;
    }

    private static JsonNode? AnyValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "stringValue": return JsonValue.Create(field.Value.GetString());
                case "boolValue": return JsonValue.Create(field.Value.ValueKind == JsonValueKind.True);
                case "intValue": return JsonValue.Create(Integer(field.Value));
                case "doubleValue": return JsonValue.Create(field.Value.ValueKind == JsonValueKind.String ? double.Parse(field.Value.GetString()!, CultureInfo.InvariantCulture) : field.Value.GetDouble());
                case "bytesValue": return JsonValue.Create(field.Value.GetString());
                case "arrayValue": return new JsonArray(Array(field.Value, "values").Select(AnyValue).ToArray());
                case "kvlistValue":
                    var list = new JsonObject();
                    foreach (var pair in Array(field.Value, "values"))
                    {
                        if (String(pair, "key") is { } key)
                        {
                            list[key] = pair.TryGetProperty("value", out var v) ? AnyValue(v) : null;
                        }
                    }

                    return list;
            }
        }

        return null;
    }

    private static IEnumerable<JsonElement> Array(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    private static string? String(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Id(JsonElement owner, string property)
    {
        var text = String(owner, property);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit)
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
