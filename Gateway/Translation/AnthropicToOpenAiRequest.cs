using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateway.Translation;

/// <summary>
/// An Anthropic Messages request as an OpenAI chat completions request, for deployments that speak OpenAI's API:
/// <c>system</c> becomes a system message, <c>tool_use</c>/<c>tool_result</c> blocks tool calls and tool messages,
/// image blocks <c>image_url</c> parts (data URLs for base64), PDF documents <c>file</c> parts, and the parameters
/// are renamed. A stream asks for usage (<c>stream_options.include_usage</c>), which Anthropic's events carry.
/// Anthropic-only parameters (<c>top_k</c>, <c>thinking</c>, …) have no OpenAI equivalent and are left out.
/// </summary>
internal static class AnthropicToOpenAiRequest
{
    /// <param name="maxCompletionTokens">Send the limit as <c>max_completion_tokens</c> (OpenAI and Azure OpenAI, whose reasoning models refuse <c>max_tokens</c>).</param>
    public static byte[] Translate(ReadOnlyMemory<byte> json, bool maxCompletionTokens)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("messages: Field required", "messages");
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, TranslationJsonContext.WriterOptions))
        {
            writer.WriteStartObject();
            if (root.TryGetProperty("model", out var model))
            {
                writer.WritePropertyName("model");
                model.WriteTo(writer);
            }

            writer.WriteStartArray("messages");
            if (root.TryGetProperty("system", out var system))
            {
                var text = system.ValueKind == JsonValueKind.String ? system.GetString() : JoinText(system, "system");
                if (!string.IsNullOrEmpty(text))
                {
                    writer.WriteStartObject();
                    writer.WriteString("role", "system");
                    writer.WriteString("content", text);
                    writer.WriteEndObject();
                }
            }

            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                WriteMessage(writer, message, $"messages.{index++}");
            }

            writer.WriteEndArray();
            WriteParameters(writer, root, maxCompletionTokens);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteParameters(Utf8JsonWriter writer, JsonElement root, bool maxCompletionTokens)
    {
        if (root.TryGetProperty("max_tokens", out var maxTokens))
        {
            writer.WritePropertyName(maxCompletionTokens ? "max_completion_tokens" : "max_tokens");
            maxTokens.WriteTo(writer);
        }

        foreach (var name in (ReadOnlySpan<string>)["temperature", "top_p"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
        }

        if (root.TryGetProperty("stop_sequences", out var stop) && stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() > 0)
        {
            writer.WritePropertyName("stop");
            stop.WriteTo(writer);
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            writer.WriteBoolean("stream", true);
            writer.WriteStartObject("stream_options");
            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.String)
        {
            writer.WriteString("user", user.GetString());
        }

        WriteTools(writer, root);
        if (root.TryGetProperty("output_config", out var output) && output.ValueKind == JsonValueKind.Object
            && output.TryGetProperty("format", out var format) && format.TryGetProperty("schema", out var schema))
        {
            writer.WriteStartObject("response_format");
            writer.WriteString("type", "json_schema");
            writer.WriteStartObject("json_schema");
            writer.WriteString("name", "output");
            writer.WritePropertyName("schema");
            schema.WriteTo(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteTools(Utf8JsonWriter writer, JsonElement root)
    {
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            writer.WriteStartArray("tools");
            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var at = $"tools.{index++}";
                if (tool.TryGetProperty("type", out var type) && !type.ValueEquals("custom"))
                {
                    throw new TranslationException($"{at}: the server tool '{type.GetString()}' runs only on Anthropic's platform; this model is not served by Anthropic.", at);
                }

                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", tool.GetProperty("name").GetString());
                if (tool.TryGetProperty("description", out var description))
                {
                    writer.WriteString("description", description.GetString());
                }

                if (tool.TryGetProperty("input_schema", out var schema))
                {
                    writer.WritePropertyName("parameters");
                    schema.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (root.TryGetProperty("tool_choice", out var choice) && choice.ValueKind == JsonValueKind.Object)
        {
            switch (choice.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case "auto":
                    writer.WriteString("tool_choice", "auto");
                    break;
                case "any":
                    writer.WriteString("tool_choice", "required");
                    break;
                case "none":
                    writer.WriteString("tool_choice", "none");
                    break;
                case "tool":
                    writer.WriteStartObject("tool_choice");
                    writer.WriteString("type", "function");
                    writer.WriteStartObject("function");
                    writer.WriteString("name", choice.GetProperty("name").GetString());
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    break;
            }

            if (choice.TryGetProperty("disable_parallel_tool_use", out var disable) && disable.ValueKind == JsonValueKind.True)
            {
                writer.WriteBoolean("parallel_tool_calls", false);
            }
        }
    }

    private static void WriteMessage(Utf8JsonWriter writer, JsonElement message, string at)
    {
        var role = message.TryGetProperty("role", out var r) ? r.GetString() : null;
        if (role is not ("user" or "assistant"))
        {
            throw new TranslationException($"{at}.role: Input should be 'user' or 'assistant'", at);
        }

        var content = message.TryGetProperty("content", out var c) ? c : default;
        if (content.ValueKind == JsonValueKind.String)
        {
            writer.WriteStartObject();
            writer.WriteString("role", role);
            writer.WriteString("content", content.GetString());
            writer.WriteEndObject();
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException($"{at}.content: Field required", at);
        }

        if (role == "assistant")
        {
            WriteAssistant(writer, content);
            return;
        }

        // Tool results answer the previous turn's tool calls, so they come first, as tool messages.
        foreach (var block in content.EnumerateArray().Where(b => Type(b) == "tool_result"))
        {
            writer.WriteStartObject();
            writer.WriteString("role", "tool");
            writer.WriteString("tool_call_id", block.GetProperty("tool_use_id").GetString());
            var result = block.TryGetProperty("content", out var resultContent) ? resultContent : default;
            writer.WriteString("content", result.ValueKind == JsonValueKind.String ? result.GetString() : JoinText(result, at));
            writer.WriteEndObject();
        }

        var parts = content.EnumerateArray().Where(b => Type(b) != "tool_result").ToList();
        if (parts.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "user");
        writer.WriteStartArray("content");
        var index = 0;
        foreach (var part in parts)
        {
            WriteUserPart(writer, part, $"{at}.content.{index++}");
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, JsonElement content)
    {
        var text = new StringBuilder();
        var calls = new List<JsonElement>();
        foreach (var block in content.EnumerateArray())
        {
            switch (Type(block))
            {
                case "text":
                    text.Append(block.GetProperty("text").GetString());
                    break;
                case "tool_use":
                    calls.Add(block);
                    break;
            }
        }

        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        if (text.Length > 0 || calls.Count == 0)
        {
            writer.WriteString("content", text.ToString());
        }
        else
        {
            writer.WriteNull("content");
        }

        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                writer.WriteStartObject();
                writer.WriteString("id", call.GetProperty("id").GetString());
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", call.GetProperty("name").GetString());
                writer.WriteString("arguments", call.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteUserPart(Utf8JsonWriter writer, JsonElement part, string at)
    {
        var type = Type(part);
        var source = part.TryGetProperty("source", out var s) ? s : default;
        var sourceType = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("type", out var st) ? st.GetString() : null;
        writer.WriteStartObject();
        switch (type, sourceType)
        {
            case ("text", _):
                writer.WriteString("type", "text");
                writer.WriteString("text", part.GetProperty("text").GetString());
                break;
            case ("image", "base64"):
                writer.WriteString("type", "image_url");
                writer.WriteStartObject("image_url");
                writer.WriteString("url", DataUrl.Create(source.GetProperty("media_type").GetString()!, source.GetProperty("data").GetString()!));
                writer.WriteEndObject();
                break;
            case ("image", "url"):
                writer.WriteString("type", "image_url");
                writer.WriteStartObject("image_url");
                writer.WriteString("url", source.GetProperty("url").GetString());
                writer.WriteEndObject();
                break;
            case ("document", "base64"):
                writer.WriteString("type", "file");
                writer.WriteStartObject("file");
                writer.WriteString("filename", part.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? title.GetString() : "document.pdf");
                writer.WriteString("file_data", DataUrl.Create(source.GetProperty("media_type").GetString()!, source.GetProperty("data").GetString()!));
                writer.WriteEndObject();
                break;
            case ("document", "text"):
                writer.WriteString("type", "text");
                writer.WriteString("text", source.GetProperty("data").GetString());
                break;
            default:
                throw new TranslationException($"{at}: content blocks of type '{type}'{(sourceType is null ? "" : $" with a '{sourceType}' source")} cannot be sent to this model (it is not served by Anthropic).", at);
        }

        writer.WriteEndObject();
    }

    private static string? Type(JsonElement block) => block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) ? type.GetString() : null;

    private static string JoinText(JsonElement blocks, string at)
    {
        if (blocks.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var block in blocks.EnumerateArray())
        {
            if (Type(block) != "text")
            {
                throw new TranslationException($"{at}: only text can be sent here to this model (it is not served by Anthropic).", at);
            }

            if (text.Length > 0)
            {
                text.Append("\n\n");
            }

            text.Append(block.GetProperty("text").GetString());
        }

        return text.ToString();
    }
}
