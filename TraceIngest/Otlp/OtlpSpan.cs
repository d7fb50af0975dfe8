namespace TraceIngest.Otlp;

/// <summary>
/// One span of an OTLP export with what it inherits from its resource and instrumentation scope. The readers fill
/// one instance span after span and hand it over before reading the next, so nothing here outlives that call.
/// </summary>
public sealed class OtlpSpan
{
    /// <summary>OTLP's STATUS_CODE_ERROR.</summary>
    public const int StatusError = 2;

    public string TraceId { get; set; } = string.Empty;

    public string SpanId { get; set; } = string.Empty;

    public string? ParentSpanId { get; set; }

    public string Name { get; set; } = string.Empty;

    public int Kind { get; set; }

    public ulong StartTimeUnixNano { get; set; }

    public ulong EndTimeUnixNano { get; set; }

    public OtlpAttributes Attributes { get; } = new();

    public List<OtlpSpanEvent> Events { get; } = [];

    public int StatusCode { get; set; }

    public string? StatusMessage { get; set; }

    public OtlpScope Scope { get; private set; } = OtlpScope.None;

    public OtlpResource Resource { get; private set; } = OtlpResource.None;

    public void Reset(OtlpScope scope, OtlpResource resource)
    {
        TraceId = SpanId = Name = string.Empty;
        ParentSpanId = StatusMessage = null;
        Kind = StatusCode = 0;
        StartTimeUnixNano = EndTimeUnixNano = 0;
        Attributes.Clear();
        Events.Clear();
        Scope = scope;
        Resource = resource;
    }
}

public sealed record OtlpSpanEvent(string Name, ulong TimeUnixNano, OtlpAttributes Attributes);

public sealed record OtlpScope(string Name, string? Version)
{
    public static readonly OtlpScope None = new(string.Empty, null);
}

/// <summary>A resource's attributes, with what every one of its spans takes from them worked out once.</summary>
public sealed class OtlpResource(OtlpAttributes attributes)
{
    public static readonly OtlpResource None = new(new OtlpAttributes());

    private static readonly string[] EnvironmentKeys = ["langfuse.environment", "deployment.environment.name", "deployment.environment"];
    private byte[]? _json;
    private bool _environmentKnown;
    private string? _environment;

    public OtlpAttributes Attributes { get; } = attributes;

    /// <summary>The attributes as one JSON object, as they go into each span's metadata.</summary>
    public ReadOnlySpan<byte> Json => _json ??= OtlpValue.KeyValues(Attributes).EncodedJson;

    /// <summary>The environment the resource declares, if any.</summary>
    public string? Environment
    {
        get
        {
            if (!_environmentKnown)
            {
                foreach (var key in EnvironmentKeys)
                {
                    if (Attributes.TryGetValue(key, out var value) && !value.IsNull)
                    {
                        _environment = value.Text();
                        break;
                    }
                }

                _environmentKnown = true;
            }

            return _environment;
        }
    }
}

/// <summary>The export could not be decoded; the message says where, for a 400.</summary>
public sealed class OtlpFormatException(string message, Exception? inner = null) : Exception(message, inner);
