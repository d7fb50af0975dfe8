using System.Text.Json;

namespace Gateway.Translation;

/// <summary>Reads the message and type out of either API's error body (<c>{"error":{"message","type",…}}</c> in both).</summary>
internal static class ErrorBodies
{
    public static (string? Message, string? Type) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                return error.ValueKind switch
                {
                    JsonValueKind.Object => (Text(error, "message"), Text(error, "type")),
                    JsonValueKind.String => (error.GetString(), null),
                    _ => (null, null),
                };
            }
        }
        catch (JsonException)
        {
        }

        return (null, null);
    }

    private static string? Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
