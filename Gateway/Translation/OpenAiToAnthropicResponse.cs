using System.Buffers;
using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Translation;

/// <summary>
/// An OpenAI <c>chat.completion</c> as an Anthropic message: the content as a text block, tool calls as
/// <c>tool_use</c> blocks (their arguments parsed into <c>input</c>), the finish reason as <c>stop_reason</c>, and
/// usage with cached input taken out of <c>input_tokens</c>, as Anthropic counts it. Errors in OpenAI's shape become
/// Anthropic's <c>{"type":"error","error":{…}}</c>.
/// </summary>
internal static class OpenAiToAnthropicResponse
{
    /// <summary>False when <paramref name="json"/> is not a chat completion.</summary>
    public static bool TryTranslate(ReadOnlySpan<byte> json, out byte[] translated)
    {
        translated = [];
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return false;
            }

            var choice = choices[0];
            var message = choice.GetProperty("message");
            var buffer = new ArrayBufferWriter<byte>(json.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, TranslationJsonContext.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("id", MessageId(root.TryGetProperty("id", out var id) ? id.GetString() : null));
                writer.WriteString("type", "message");
                writer.WriteString("role", "assistant");
                writer.WriteString("model", root.TryGetProperty("model", out var model) ? model.GetString() : null);
                writer.WriteStartArray("content");
                if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "text");
                    writer.WriteString("text", text);
                    writer.WriteEndObject();
                }

                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        var function = call.GetProperty("function");
                        writer.WriteStartObject();
                        writer.WriteString("type", "tool_use");
                        writer.WriteString("id", call.GetProperty("id").GetString());
                        writer.WriteString("name", function.GetProperty("name").GetString());
                        writer.WritePropertyName("input");
                        writer.WriteRawValue(ToolInput(function.TryGetProperty("arguments", out var arguments) ? arguments.GetString() : null));
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
                writer.WriteString("stop_reason", StopReasons.ToStopReason(choice.TryGetProperty("finish_reason", out var finish) ? finish.GetString() : null));
                writer.WriteNull("stop_sequence");
                var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object && UsageJson.TryRead(json, out var read) && read is { } found ? found : default;
                UsageShapes.WriteAnthropic(writer, usage);
                writer.WriteEndObject();
            }

            translated = buffer.WrittenSpan.ToArray();
            return true;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    public static string MessageId(string? openAiId) =>
        openAiId is null ? "msg_" + Guid.NewGuid().ToString("N") : openAiId.StartsWith("msg", StringComparison.Ordinal) ? openAiId : "msg_" + openAiId;

    /// <summary>Tool arguments as an <c>input</c> object; arguments a model wrote that are not a JSON object are kept as a string under <c>raw</c>.</summary>
    public static string ToolInput(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return "{}";
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                return arguments;
            }
        }
        catch (JsonException)
        {
        }

        return JsonSerializer.Serialize(new Dictionary<string, string> { ["raw"] = arguments }, TranslationJsonContext.Default.DictionaryStringString);
    }

    /// <summary>Anthropic's error body for an error answer in OpenAI's shape (or any body at all), keeping its status's error type.</summary>
    public static byte[] Error(int status, ReadOnlySpan<byte> body)
    {
        var (message, _) = ErrorBodies.Read(body);
        return AnthropicErrorBody.Create(status, message ?? $"The model's provider refused the request (HTTP {status}).");
    }
}
