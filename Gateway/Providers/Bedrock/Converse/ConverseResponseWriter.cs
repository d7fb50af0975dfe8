using System.Text.Json;
using Gateway.Translation;
using Gateway.Usage;

namespace Gateway.Providers.Bedrock.Converse;

/// <summary>
/// Writes OpenAI's <c>chat.completion</c> for a Converse answer: text blocks joined as <c>content</c>, <c>toolUse</c>
/// blocks as <c>tool_calls</c> (or as the content, for the <c>response_format</c> tool), reasoning as
/// <c>reasoning_content</c>, the stop reason as <c>finish_reason</c>, and usage.
/// </summary>
internal static class ConverseResponseWriter
{
    /// <exception cref="FormatException">The answer is not a Converse response.</exception>
    public static TokenUsage Write(JsonElement response, string model, string id, long created, string? jsonTool, Utf8JsonWriter json)
    {
        if (response.ValueKind != JsonValueKind.Object
            || !response.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object
            || !response.TryGetProperty("usage", out var usageElement) || usageElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a Converse response has 'output' and 'usage' objects");
        }

        var content = output.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array ? blocks : default;
        string? text = null, reasoning = null;
        var toolUses = new List<JsonElement>();
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                if (block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    text += t.GetString();
                }
                else if (block.TryGetProperty("toolUse", out var toolUse) && toolUse.ValueKind == JsonValueKind.Object)
                {
                    if (jsonTool is not null && toolUse.TryGetProperty("name", out var name) && name.ValueEquals(jsonTool) && toolUse.TryGetProperty("input", out var input))
                    {
                        text += input.GetRawText();
                    }
                    else
                    {
                        toolUses.Add(toolUse);
                    }
                }
                else if (block.TryGetProperty("reasoningContent", out var r) && r.TryGetProperty("reasoningText", out var rt)
                         && rt.TryGetProperty("text", out var reasoningText) && reasoningText.ValueKind == JsonValueKind.String)
                {
                    reasoning += reasoningText.GetString();
                }
            }
        }

        var usage = ConverseUsage.Read(usageElement);
        var stopReason = response.TryGetProperty("stopReason", out var stop) && stop.ValueKind == JsonValueKind.String ? stop.GetString() : null;

        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", created);
        json.WriteString("model", model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (text is null && toolUses.Count > 0)
        {
            json.WriteNull("content");
        }
        else
        {
            json.WriteString("content", text ?? string.Empty);
        }

        if (reasoning is not null)
        {
            json.WriteString("reasoning_content", reasoning);
        }

        if (toolUses.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var toolUse in toolUses)
            {
                json.WriteStartObject();
                json.WriteString("id", toolUse.GetProperty("toolUseId").GetString());
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", toolUse.GetProperty("name").GetString());
                json.WriteString("arguments", toolUse.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", ConverseUsage.FinishReason(stopReason, jsonTool is not null && toolUses.Count == 0));
        json.WriteEndObject();
        json.WriteEndArray();
        UsageShapes.WriteOpenAi(json, usage);
        json.WriteEndObject();
        return usage;
    }
}
