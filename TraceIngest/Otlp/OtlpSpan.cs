using System.Text.Json.Nodes;

namespace TraceIngest.Otlp;

/// <summary>
/// One span of an OTLP export with what it inherits from its resource and instrumentation scope. Attribute values
/// are JSON nodes: OTLP's AnyValue maps onto JSON one to one (bytes become base64 strings).
/// </summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    int Kind,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    IReadOnlyDictionary<string, JsonNode?> Attributes,
    IReadOnlyList<OtlpSpanEvent> Events,
    int StatusCode,
    string? StatusMessage,
    OtlpScope Scope,
    IReadOnlyDictionary<string, JsonNode?> ResourceAttributes)
{
    /// <summary>OTLP's STATUS_CODE_ERROR.</summary>
    public const int StatusError = 2;
}

public sealed record OtlpSpanEvent(string Name, ulong TimeUnixNano, IReadOnlyDictionary<string, JsonNode?> Attributes);

public sealed record OtlpScope(string Name, string? Version);

/// <summary>The export could not be decoded; the message says where, for a 400.</summary>
public sealed class OtlpFormatException(string message, Exception? inner = null) : Exception(message, inner);
