using System.Text.Json.Nodes;

namespace TraceIngest.Queries;

/// <summary>Stored inputs, outputs and metadata values back as JSON: objects and arrays parsed, anything else a string.</summary>
internal static class JsonContent
{
    public static JsonNode? Parse(string? stored) => StoredJson.Parse(stored);

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
