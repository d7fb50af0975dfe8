using System.Buffers;
using System.Text.Json;

namespace Gateway.Translation;

/// <summary>
/// An OpenAI chat completions request as an Anthropic Messages request: system and developer messages become
/// <c>system</c>, tool calls and tool results become <c>tool_use</c>/<c>tool_result</c> blocks, images (data or http
/// URLs) and PDFs become image and document blocks, and the parameters are renamed. Parameters Anthropic has no
/// equivalent for fail the request unless <c>drop_params</c> is on; parameters OpenAI does not define (e.g.
/// <c>top_k</c>, <c>thinking</c>) are provider-specific and go through as they are, as LiteLLM does.
/// </summary>
internal static class OpenAiToAnthropicRequest
{
    /// <summary>OpenAI parameters Anthropic cannot honour, with the value that means "not used".</summary>
    private static readonly HashSet<string> Unsupported =
        ["n", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "audio", "modalities", "prediction", "functions", "function_call", "web_search_options"];

    /// <summary>OpenAI parameters that change nothing about the answer, or that the translation handles itself.</summary>
    private static readonly HashSet<string> Consumed =
        ["model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options", "tools", "tool_choice",
         "parallel_tool_calls", "response_format", "user", "reasoning_effort", "store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier", "mock_response"];

    public static byte[] Translate(ReadOnlyMemory<byte> json, string model, int defaultMaxTokens, bool dropParams)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("'messages' must be an array of messages.", "messages");
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, TranslationJsonContext.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteNumber("max_tokens", MaxTokens(root) ?? defaultMaxTokens);
            WriteMessages(writer, messages);
            WriteParameters(writer, root, dropParams);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static int? MaxTokens(JsonElement root)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var tokens) && tokens > 0
                    ? tokens
                    : throw new TranslationException($"'{name}' must be a positive integer.", name);
            }
        }

        return null;
    }

    private static void WriteParameters(Utf8JsonWriter writer, JsonElement root, bool dropParams)
    {
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (Unsupported.Contains(name))
            {
                if (!dropParams && !MeansUnused(name, value))
                {
                    throw new TranslationException(
                        $"Anthropic models do not support the parameter '{name}'. Remove it, or set drop_params: true to have the gateway drop it.", name);
                }

                continue;
            }

            if (!Consumed.Contains(name))
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
        }

        CopyNumber(writer, root, "temperature");
        CopyNumber(writer, root, "top_p");
        if (root.TryGetProperty("stop", out var stop))
        {
            switch (stop.ValueKind)
            {
                case JsonValueKind.String:
                    writer.WriteStartArray("stop_sequences");
                    writer.WriteStringValue(stop.GetString());
                    writer.WriteEndArray();
                    break;
                case JsonValueKind.Array:
                    writer.WritePropertyName("stop_sequences");
                    stop.WriteTo(writer);
                    break;
            }
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            writer.WriteBoolean("stream", true);
        }

        WriteTools(writer, root);
        WriteOutputConfig(writer, root);
        if (root.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.String)
        {
            writer.WriteStartObject("metadata");
            writer.WriteString("user_id", user.GetString());
            writer.WriteEndObject();
        }
    }

    private static bool MeansUnused(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.Number => name == "n" ? value.GetDouble() == 1 : name is "presence_penalty" or "frequency_penalty" && value.GetDouble() == 0,
        JsonValueKind.Array => name == "modalities" && value.EnumerateArray().All(m => m.ValueEquals("text")),
        _ => false,
    };

    private static void CopyNumber(Utf8JsonWriter writer, JsonElement root, string name)
    {
        if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
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
                if (!tool.TryGetProperty("function", out var function) || !function.TryGetProperty("name", out var name))
                {
                    throw new TranslationException("Only tools of type 'function' with a name can be sent to Anthropic models.", $"tools[{index}]");
                }

                writer.WriteStartObject();
                writer.WriteString("name", name.GetString());
                if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    writer.WriteString("description", description.GetString());
                }

                writer.WritePropertyName("input_schema");
                if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
                {
                    parameters.WriteTo(writer);
                }
                else
                {
                    writer.WriteRawValue("""{"type":"object","properties":{}}""");
                }

                CopyCacheControl(writer, tool);
                writer.WriteEndObject();
                index++;
            }

            writer.WriteEndArray();
        }

        var parallel = !(root.TryGetProperty("parallel_tool_calls", out var p) && p.ValueKind == JsonValueKind.False);
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            if (!parallel)
            {
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "auto");
                writer.WriteBoolean("disable_parallel_tool_use", true);
                writer.WriteEndObject();
            }

            return;
        }

        writer.WriteStartObject("tool_choice");
        if (choice.ValueKind == JsonValueKind.String)
        {
            writer.WriteString("type", choice.GetString() switch
            {
                "required" => "any",
                "none" => "none",
                "auto" => "auto",
                var other => throw new TranslationException($"tool_choice '{other}' is not one of auto, required, none.", "tool_choice"),
            });
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var chosen) && chosen.TryGetProperty("name", out var chosenName))
        {
            writer.WriteString("type", "tool");
            writer.WriteString("name", chosenName.GetString());
        }
        else
        {
            throw new TranslationException("tool_choice must be auto, required, none or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        }

        if (!parallel && !choice.ValueEquals("none"))
        {
            writer.WriteBoolean("disable_parallel_tool_use", true);
        }

        writer.WriteEndObject();
    }

    /// <summary><c>response_format</c> with a JSON schema and <c>reasoning_effort</c> map to Anthropic's <c>output_config</c>.</summary>
    private static void WriteOutputConfig(Utf8JsonWriter writer, JsonElement root)
    {
        JsonElement? schema = root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var type) && type.ValueEquals("json_schema")
            && format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.TryGetProperty("schema", out var s) ? s : null;
        var effort = root.TryGetProperty("reasoning_effort", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        effort = effort switch
        {
            "minimal" => "low",
            "none" or null => null,
            "xhigh" => "max",
            _ => effort,
        };
        if ((schema is null && effort is null) || root.TryGetProperty("output_config", out _))
        {
            return;
        }

        writer.WriteStartObject("output_config");
        if (schema is { } value)
        {
            writer.WriteStartObject("format");
            writer.WriteString("type", "json_schema");
            writer.WritePropertyName("schema");
            value.WriteTo(writer);
            writer.WriteEndObject();
        }

        if (effort is not null)
        {
            writer.WriteString("effort", effort);
        }

        writer.WriteEndObject();
    }

    private static void WriteMessages(Utf8JsonWriter writer, JsonElement messages)
    {
        var system = new List<(JsonElement Content, int Index)>();
        var turns = new List<(string Role, List<Action<Utf8JsonWriter>> Blocks)>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = $"messages[{index}]";
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException($"{at} must be an object with a 'role'.", at);
            }

            var role = roleElement.GetString();
            message.TryGetProperty("content", out var content);
            switch (role)
            {
                case "system" or "developer":
                    system.Add((content, index));
                    break;
                case "user":
                    AddTurn(turns, "user", ContentBlocks(content, at, assistant: false));
                    break;
                case "assistant":
                    AddTurn(turns, "assistant", AssistantBlocks(message, content, at));
                    break;
                case "tool":
                    AddTurn(turns, "user", [ToolResult(message, content, at)]);
                    break;
                default:
                    throw new TranslationException($"{at}: role '{role}' cannot be sent to Anthropic models (use tools and tool messages).", at);
            }

            index++;
        }

        if (system.Count > 0)
        {
            writer.WriteStartArray("system");
            foreach (var (content, at) in system)
            {
                foreach (var block in ContentBlocks(content, $"messages[{at}]", assistant: false))
                {
                    block(writer);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteStartArray("messages");
        foreach (var (role, blocks) in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role", role);
            writer.WriteStartArray("content");
            foreach (var block in blocks)
            {
                block(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Consecutive messages of one role become one turn: tool results then the user's words, as Anthropic expects.</summary>
    private static void AddTurn(List<(string Role, List<Action<Utf8JsonWriter>> Blocks)> turns, string role, List<Action<Utf8JsonWriter>> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns.Count > 0 && turns[^1].Role == role)
        {
            turns[^1].Blocks.AddRange(blocks);
        }
        else
        {
            turns.Add((role, blocks));
        }
    }

    private static List<Action<Utf8JsonWriter>> AssistantBlocks(JsonElement message, JsonElement content, string at)
    {
        var blocks = new List<Action<Utf8JsonWriter>>();
        if (message.TryGetProperty("thinking_blocks", out var thinking) && thinking.ValueKind == JsonValueKind.Array)
        {
            // Thinking must go back with the tool calls it led to; LiteLLM returns it in this field.
            foreach (var block in thinking.EnumerateArray())
            {
                blocks.Add(block.WriteTo);
            }
        }

        blocks.AddRange(ContentBlocks(content, at, assistant: true));
        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var call in calls.EnumerateArray())
            {
                var callAt = $"{at}.tool_calls[{i++}]";
                if (!call.TryGetProperty("function", out var function) || !function.TryGetProperty("name", out var name))
                {
                    throw new TranslationException($"{callAt} must have a function with a name.", callAt);
                }

                var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                var input = ParseArguments(arguments, callAt);
                var id = call.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;
                blocks.Add(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("type", "tool_use");
                    w.WriteString("id", id);
                    w.WriteString("name", name.GetString());
                    w.WritePropertyName("input");
                    w.WriteRawValue(input);
                    w.WriteEndObject();
                });
            }
        }

        return blocks;
    }

    private static string ParseArguments(string? arguments, string at)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return "{}";
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            return parsed.RootElement.ValueKind == JsonValueKind.Object
                ? arguments
                : throw new TranslationException($"{at}.function.arguments must be a JSON object.", at);
        }
        catch (JsonException)
        {
            throw new TranslationException($"{at}.function.arguments is not valid JSON.", at);
        }
    }

    private static Action<Utf8JsonWriter> ToolResult(JsonElement message, JsonElement content, string at)
    {
        if (!message.TryGetProperty("tool_call_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new TranslationException($"{at}: a tool message needs a 'tool_call_id'.", at);
        }

        var blocks = content.ValueKind == JsonValueKind.Array ? ContentBlocks(content, at, assistant: false) : null;
        var text = content.ValueKind == JsonValueKind.String ? content.GetString() : null;
        return w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_result");
            w.WriteString("tool_use_id", id.GetString());
            if (blocks is not null)
            {
                w.WriteStartArray("content");
                foreach (var block in blocks)
                {
                    block(w);
                }

                w.WriteEndArray();
            }
            else
            {
                w.WriteString("content", text ?? string.Empty);
            }

            w.WriteEndObject();
        };
    }

    /// <summary>A message's content (a string or a list of parts) as Anthropic content blocks; empty text is left out, as Anthropic rejects it.</summary>
    private static List<Action<Utf8JsonWriter>> ContentBlocks(JsonElement content, string at, bool assistant)
    {
        var blocks = new List<Action<Utf8JsonWriter>>();
        if (content.ValueKind == JsonValueKind.String)
        {
            var text = content.GetString();
            if (!string.IsNullOrEmpty(text))
            {
                blocks.Add(w => WriteText(w, text, default));
            }

            return blocks;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return content.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
                ? blocks
                : throw new TranslationException($"{at}.content must be a string or an array of content parts.", at);
        }

        var i = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{i++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (type)
            {
                case "text" or "refusal":
                    var text = part.TryGetProperty(type, out var value) ? value.GetString() : null;
                    if (!string.IsNullOrEmpty(text))
                    {
                        blocks.Add(w => WriteText(w, text, part));
                    }

                    break;
                case "image_url" when !assistant:
                    blocks.Add(ImageBlock(part, partAt));
                    break;
                case "file" when !assistant:
                    blocks.Add(DocumentBlock(part, partAt));
                    break;
                default:
                    throw new TranslationException($"{partAt}: content parts of type '{type}' cannot be sent to Anthropic models.", partAt);
            }
        }

        return blocks;
    }

    private static void WriteText(Utf8JsonWriter writer, string text, JsonElement part)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", text);
        if (part.ValueKind == JsonValueKind.Object)
        {
            CopyCacheControl(writer, part);
        }

        writer.WriteEndObject();
    }

    private static void CopyCacheControl(Utf8JsonWriter writer, JsonElement owner)
    {
        if (owner.TryGetProperty("cache_control", out var cache) && cache.ValueKind == JsonValueKind.Object)
        {
            writer.WritePropertyName("cache_control");
            cache.WriteTo(writer);
        }
    }

    private static Action<Utf8JsonWriter> ImageBlock(JsonElement part, string at)
    {
        var image = part.TryGetProperty("image_url", out var i) ? i : default;
        var url = image.ValueKind switch
        {
            JsonValueKind.String => image.GetString(),
            JsonValueKind.Object when image.TryGetProperty("url", out var u) => u.GetString(),
            _ => null,
        };
        if (url is null)
        {
            throw new TranslationException($"{at}.image_url needs a url.", at);
        }

        if (DataUrl.Parse(url) is (var mediaType, var data))
        {
            return w => WriteSourceBlock(w, "image", mediaType, data, part);
        }

        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "image");
                w.WriteStartObject("source");
                w.WriteString("type", "url");
                w.WriteString("url", url);
                w.WriteEndObject();
                CopyCacheControl(w, part);
                w.WriteEndObject();
            };
        }

        throw new TranslationException($"{at}.image_url.url must be an http(s) URL or a base64 data URL.", at);
    }

    private static Action<Utf8JsonWriter> DocumentBlock(JsonElement part, string at)
    {
        if (part.TryGetProperty("file", out var file) && file.TryGetProperty("file_data", out var fileData) && fileData.ValueKind == JsonValueKind.String
            && DataUrl.Parse(fileData.GetString()!) is (var mediaType, var data))
        {
            return w => WriteSourceBlock(w, "document", mediaType, data, part);
        }

        throw new TranslationException($"{at}: only files given inline as file.file_data (a base64 data URL) can be sent to Anthropic models.", at);
    }

    private static void WriteSourceBlock(Utf8JsonWriter writer, string type, string mediaType, string data, JsonElement part)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteStartObject("source");
        writer.WriteString("type", "base64");
        writer.WriteString("media_type", mediaType);
        writer.WriteString("data", data);
        writer.WriteEndObject();
        CopyCacheControl(writer, part);
        writer.WriteEndObject();
    }
}
