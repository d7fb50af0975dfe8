using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Translation;

/// <summary>
/// An Anthropic message as an OpenAI <c>chat.completion</c>: text blocks become the content, <c>tool_use</c> blocks
/// tool calls (their input as the arguments string), thinking the <c>reasoning_content</c> (with the blocks in
/// <c>thinking_blocks</c>, as LiteLLM returns them, so a client can send them back), <c>stop_reason</c> the finish reason.
/// </summary>
internal static class AnthropicToOpenAiResponse
{
    /// <summary>False when <paramref name="json"/> is not an Anthropic message.</summary>
    public static bool TryTranslate(ReadOnlySpan<byte> json, long created, out byte[] translated, out TokenUsage usage)
    {
        translated = [];
        usage = default;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            try
            {
                return Write(document.RootElement, json.Length, created, out translated, out usage);
            }
            catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    private static bool Write(JsonElement message, int size, long created, out byte[] translated, out TokenUsage usage)
    {
        translated = [];
        usage = default;
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            usage = UsageShapes.FromAnthropic(message.TryGetProperty("usage", out var u) ? u : default);
            var text = new StringBuilder();
            var reasoning = new StringBuilder();
            var buffer = new ArrayBufferWriter<byte>(size + 256);
            using (var writer = new Utf8JsonWriter(buffer, TranslationJsonContext.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("id", message.TryGetProperty("id", out var id) ? id.GetString() : "msg");
                writer.WriteString("object", "chat.completion");
                writer.WriteNumber("created", created);
                writer.WriteString("model", message.TryGetProperty("model", out var model) ? model.GetString() : null);
                writer.WriteStartArray("choices");
                writer.WriteStartObject();
                writer.WriteNumber("index", 0);
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                var toolCalls = 0;
                var thinkingBlocks = new List<JsonElement>();
                foreach (var block in content.EnumerateArray())
                {
                    var type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
                    switch (type)
                    {
                        case "text":
                            text.Append(block.GetProperty("text").GetString());
                            break;
                        case "thinking":
                            reasoning.Append(block.TryGetProperty("thinking", out var thought) ? thought.GetString() : null);
                            thinkingBlocks.Add(block);
                            break;
                        case "redacted_thinking":
                            thinkingBlocks.Add(block);
                            break;
                        case "tool_use":
                            if (toolCalls++ == 0)
                            {
                                writer.WriteStartArray("tool_calls");
                            }

                            writer.WriteStartObject();
                            writer.WriteString("id", block.GetProperty("id").GetString());
                            writer.WriteString("type", "function");
                            writer.WriteStartObject("function");
                            writer.WriteString("name", block.GetProperty("name").GetString());
                            writer.WriteString("arguments", block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                            writer.WriteEndObject();
                            writer.WriteEndObject();
                            break;
                    }
                }

                if (toolCalls > 0)
                {
                    writer.WriteEndArray();
                }

                if (text.Length > 0 || toolCalls == 0)
                {
                    writer.WriteString("content", text.ToString());
                }
                else
                {
                    writer.WriteNull("content");
                }

                if (thinkingBlocks.Count > 0)
                {
                    writer.WriteString("reasoning_content", reasoning.ToString());
                    writer.WriteStartArray("thinking_blocks");
                    foreach (var block in thinkingBlocks)
                    {
                        block.WriteTo(writer);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
                writer.WriteString("finish_reason", StopReasons.ToFinishReason(message.TryGetProperty("stop_reason", out var stop) ? stop.GetString() : null));
                writer.WriteEndObject();
                writer.WriteEndArray();
                UsageShapes.WriteOpenAi(writer, usage);
                writer.WriteEndObject();
            }

            translated = buffer.WrittenSpan.ToArray();
            return true;
        }
    }
}
