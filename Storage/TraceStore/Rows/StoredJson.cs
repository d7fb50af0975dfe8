using System.Text.Json;
using System.Text.Json.Nodes;

namespace Storage.TraceStore.Rows;

/// <summary>Stored inputs, outputs and metadata values back as JSON: objects and arrays parsed, anything else a string.</summary>
public static class StoredJson
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
}
