using System.Text.Json;

namespace TraceUi.RemoteGateway;

/// <summary>The message of an error the gateway answered in OpenAI's shape (<c>{"error":{"message":…}}</c>).</summary>
internal static class GatewayErrorMessage
{
    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = $"the gateway answered {(int)response.StatusCode} without saying why";
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()!
                : fallback;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }
}
