using System.Globalization;
using System.Text.Json;

namespace TraceIngest.Worker;

/// <summary>Reading the optional fields of an event body: absent and null both mean "leave as it is".</summary>
internal static class JsonFields
{
    public static bool TryGet(this JsonElement body, string property, out JsonElement value) =>
        body.TryGetProperty(property, out value) && value.ValueKind != JsonValueKind.Null;

    public static string? String(this JsonElement body, string property) =>
        body.TryGet(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>ISO 8601 read in place (no string); anything else the invariant culture parses, as before.</summary>
    public static DateTime? Time(this JsonElement body, string property)
    {
        if (!body.TryGet(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return value.TryGetDateTimeOffset(out var time)
            || DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time)
            ? time.UtcDateTime
            : null;
    }

    /// <summary>Input and output are stored as JSON text; a plain string is stored as itself, as Langfuse does.</summary>
    public static string? Content(this JsonElement body, string property) =>
        body.TryGet(property, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;

    /// <summary>Metadata as string values; non-object metadata is kept under the key "metadata".</summary>
    public static void MergeMetadata(this JsonElement body, Dictionary<string, string> into)
    {
        if (!body.TryGet("metadata", out var metadata))
        {
            return;
        }

        if (metadata.ValueKind != JsonValueKind.Object)
        {
            into["metadata"] = metadata.ValueKind == JsonValueKind.String ? metadata.GetString()! : metadata.GetRawText();
            return;
        }

        foreach (var entry in metadata.EnumerateObject())
        {
            into[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString()!,
                JsonValueKind.Null => string.Empty,
                _ => entry.Value.GetRawText(),
            };
        }
    }
}
