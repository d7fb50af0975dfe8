using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceIngest.Queries;

/// <summary>Stored inputs, outputs and metadata values back as JSON: objects and arrays parsed, anything else a string.</summary>
internal static class JsonContent
{
    public static JsonNode? Parse(string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var trimmed = stored.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            try
            {
                return JsonNode.Parse(stored);
            }
            catch (JsonException)
            {
            }
        }

        return JsonValue.Create(stored);
    }

    public static JsonObject Metadata(IReadOnlyDictionary<string, string> stored)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in stored.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            metadata[key] = Parse(value);
        }

        return metadata;
    }
}
