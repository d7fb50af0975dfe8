namespace TraceIngest.Ingestion;

/// <summary>
/// Regular-expression masking applied at ingestion, before anything is stored: every match in a string of an
/// event's input, output or metadata is replaced.
/// </summary>
public sealed class MaskingOptions
{
    public const string SectionName = "Ingestion:Masking";

    public List<MaskingRule> Rules { get; set; } = [];
}

public sealed class MaskingRule
{
    /// <summary>A .NET regular expression, e.g. <c>\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b</c> for card numbers.</summary>
    public string Pattern { get; set; } = string.Empty;

    public string Replacement { get; set; } = "[REDACTED]";
}
