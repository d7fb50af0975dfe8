using System.Text.Json;
using Gateway.Translation;

namespace Gateway.Providers.Bedrock.Converse;

/// <summary>
/// Writes the Converse request body for an OpenAI chat completion request: <c>system</c> from system and developer
/// messages, <c>messages</c> with consecutive turns of one role merged (tool results travel in the user turn, as
/// Converse wants), images and documents from data URLs, <c>inferenceConfig</c>, <c>toolConfig</c> (plus a forced
/// tool for <c>response_format</c>) and the model-specific <c>additionalModelRequestFields</c>.
/// </summary>
internal static class ConverseRequestWriter
{
    public const string DefaultJsonToolName = "json_tool_call";

    /// <summary>OpenAI parameters Converse has no place for, with the value that means "not used".</summary>
    private static readonly string[] Unsupported = ["n", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "logit_bias", "seed", "audio", "prediction"];

    /// <exception cref="ConverseRequestException">The request cannot be sent to Bedrock.</exception>
    public static ConverseRequestShape Write(JsonElement request, string modelId, bool dropParams, Utf8JsonWriter json)
    {
        if (!request.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw new ConverseRequestException("'messages' must be a non-empty array.", "messages");
        }

        CheckUnsupported(request, dropParams);
        var family = BedrockModelFamilies.Of(modelId);
        var tools = request.TryGetProperty("tools", out var toolList) && toolList.ValueKind == JsonValueKind.Array && toolList.GetArrayLength() > 0 ? toolList : (JsonElement?)null;
        var jsonTool = JsonTool(request);
        var thinking = Thinking(request, family, dropParams);

        json.WriteStartObject();
        WriteSystem(messages, json);
        var usesTools = WriteMessages(messages, json);
        if (usesTools && tools is null && jsonTool is null)
        {
            throw new ConverseRequestException("Bedrock does not accept tool calls or tool results in 'messages' without 'tools'; send the tools the conversation used.", "tools");
        }

        WriteInferenceConfig(request, json);
        if (tools is not null || jsonTool is not null)
        {
            WriteToolConfig(request, tools, jsonTool, forceJsonTool: thinking is null, dropParams, json);
        }

        WriteAdditionalFields(request, family, thinking, json);
        foreach (var passthrough in (ReadOnlySpan<string>)["guardrailConfig", "performanceConfig", "requestMetadata", "additionalModelResponseFieldPaths"])
        {
            if (request.TryGetProperty(passthrough, out var value) && value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                json.WritePropertyName(passthrough);
                value.WriteTo(json);
            }
        }

        json.WriteEndObject();
        var includeUsage = request.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
        return new ConverseRequestShape(jsonTool?.Name, includeUsage);
    }

    private static void CheckUnsupported(JsonElement request, bool dropParams)
    {
        List<string>? found = null;
        foreach (var name in Unsupported)
        {
            if (request.TryGetProperty(name, out var value) && !IsUnused(name, value))
            {
                (found ??= []).Add(name);
            }
        }

        if (request.TryGetProperty("modalities", out var modalities) && modalities.ValueKind == JsonValueKind.Array
            && modalities.EnumerateArray().Any(m => !m.ValueEquals("text")))
        {
            (found ??= []).Add("modalities");
        }

        if (found is not null && !dropParams)
        {
            throw new ConverseRequestException(
                $"bedrock does not support parameters: {string.Join(", ", found)}. To drop them from the call, set drop_params: true in the deployment's litellm_params or in litellm_settings.",
                found[0]);
        }
    }

    private static bool IsUnused(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.Number => name == "n" ? value.TryGetInt32(out var n) && n == 1 : name is "presence_penalty" or "frequency_penalty" && value.GetDouble() == 0,
        JsonValueKind.Object => name == "logit_bias" && !value.EnumerateObject().Any(),
        _ => false,
    };

    private static void WriteSystem(JsonElement messages, Utf8JsonWriter json)
    {
        var started = false;
        foreach (var message in messages.EnumerateArray())
        {
            if (Role(message) is not ("system" or "developer"))
            {
                continue;
            }

            if (!started)
            {
                json.WriteStartArray("system");
                started = true;
            }

            var content = message.TryGetProperty("content", out var c) ? c : default;
            if (content.ValueKind == JsonValueKind.String)
            {
                WriteTextBlock(content.GetString(), json);
                WriteCachePoint(message, json);
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        WriteTextBlock(text.GetString(), json);
                        WriteCachePoint(part, json);
                    }
                }
            }
        }

        if (started)
        {
            json.WriteEndArray();
        }
    }

    /// <summary>Writes <c>messages</c>; true when they hold tool calls or tool results.</summary>
    private static bool WriteMessages(JsonElement messages, Utf8JsonWriter json)
    {
        json.WriteStartArray("messages");
        string? open = null;
        var usesTools = false;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new ConverseRequestException($"{path} must be an object.", "messages");
            }

            var role = Role(message);
            var turn = role switch
            {
                "system" or "developer" => null,
                "user" or "tool" or "function" => "user",
                "assistant" => "assistant",
                _ => throw new ConverseRequestException($"{path}.role '{role}' is not one of system, developer, user, assistant, tool.", "messages"),
            };
            if (turn is null || !HasBlocks(message, role!))
            {
                continue;
            }

            if (turn != open)
            {
                if (open is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("role", turn);
                json.WriteStartArray("content");
                open = turn;
            }

            usesTools |= role switch
            {
                "tool" or "function" => WriteToolResult(message, path, json),
                "assistant" => WriteAssistant(message, path, json),
                _ => WriteContent(message, path, json),
            };
        }

        if (open is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        return usesTools;
    }

    private static string? Role(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : null;

    /// <summary>Whether the message yields at least one content block (Converse rejects empty turns and empty text).</summary>
    private static bool HasBlocks(JsonElement message, string role)
    {
        if (role is "tool" or "function")
        {
            return true;
        }

        if (role == "assistant" && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0)
        {
            return true;
        }

        if (!message.TryGetProperty("content", out var content))
        {
            return false;
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!.Length > 0,
            JsonValueKind.Array => content.EnumerateArray().Any(part =>
                part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String || text.GetString()!.Length > 0),
            _ => false,
        };
    }

    private static bool WriteContent(JsonElement message, string path, Utf8JsonWriter json)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            WriteTextBlock(content.GetString(), json);
            WriteCachePoint(message, json);
            return false;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new ConverseRequestException($"{path}.content must be a string or an array of content parts.", "messages");
        }

        var part = 0;
        foreach (var item in content.EnumerateArray())
        {
            WritePart(item, $"{path}.content[{part++}]", json);
        }

        return false;
    }

    private static void WritePart(JsonElement part, string path, Utf8JsonWriter json)
    {
        var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw new ConverseRequestException($"{path}.text must be a string.", "messages");
                }

                WriteTextBlock(text.GetString(), json);
                break;
            case "image_url":
                var image = part.TryGetProperty("image_url", out var i) ? i : default;
                var url = image.ValueKind == JsonValueKind.String ? image.GetString()
                    : image.ValueKind == JsonValueKind.Object && image.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
                WriteImage(url ?? throw new ConverseRequestException($"{path}.image_url.url must be a string.", "messages"), path, json);
                break;
            case "file":
                WriteDocument(part, path, json);
                break;
            default:
                throw new ConverseRequestException($"{path}: content parts of type '{type}' cannot be sent to Bedrock (text, image_url and file can).", "messages");
        }

        WriteCachePoint(part, json);
    }

    private static void WriteImage(string url, string path, Utf8JsonWriter json)
    {
        var (mediaType, data) = DataUrl.Parse(url)
            ?? throw new ConverseRequestException(
                $"{path}: Bedrock takes images as bytes; send a data URL (data:image/png;base64,…). The gateway does not download image URLs.", "messages");
        var format = mediaType switch
        {
            "image/png" => "png",
            "image/jpeg" or "image/jpg" => "jpeg",
            "image/gif" => "gif",
            "image/webp" => "webp",
            _ => throw new ConverseRequestException($"{path}: image type '{mediaType}' is not one Bedrock accepts (png, jpeg, gif, webp).", "messages"),
        };
        json.WriteStartObject();
        json.WriteStartObject("image");
        json.WriteString("format", format);
        json.WriteStartObject("source");
        json.WriteString("bytes", data);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteDocument(JsonElement part, string path, Utf8JsonWriter json)
    {
        var file = part.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        var fileData = file.ValueKind == JsonValueKind.Object && file.TryGetProperty("file_data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var (mediaType, data) = (fileData is null ? null : DataUrl.Parse(fileData))
            ?? throw new ConverseRequestException($"{path}.file.file_data must be a data URL (data:application/pdf;base64,…); file ids cannot be sent to Bedrock.", "messages");
        var format = mediaType switch
        {
            "application/pdf" => "pdf",
            "text/csv" => "csv",
            "application/msword" => "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
            "application/vnd.ms-excel" => "xls",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
            "text/html" => "html",
            "text/plain" => "txt",
            "text/markdown" => "md",
            _ => throw new ConverseRequestException($"{path}: document type '{mediaType}' is not one Bedrock accepts (pdf, csv, doc, docx, xls, xlsx, html, txt, md).", "messages"),
        };
        var filename = file.TryGetProperty("filename", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        json.WriteStartObject();
        json.WriteStartObject("document");
        json.WriteString("format", format);
        json.WriteString("name", DocumentName(filename, format));
        json.WriteStartObject("source");
        json.WriteString("bytes", data);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Bedrock allows letters, digits, single spaces, hyphens, parentheses and square brackets in document names.</summary>
    private static string DocumentName(string? filename, string format)
    {
        var stem = Path.GetFileNameWithoutExtension(filename ?? string.Empty);
        var chars = stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '(' or ')' or '[' or ']' ? c : ' ').ToArray();
        var name = string.Join(' ', new string(chars).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return name.Length > 0 ? name : $"document {format}";
    }

    private static bool WriteAssistant(JsonElement message, string path, Utf8JsonWriter json)
    {
        WriteContent(message, path, json);
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
        {
            return false;
        }

        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var at = $"{path}.tool_calls[{index++}]";
            var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var fn) && fn.ValueKind == JsonValueKind.Object ? fn : default;
            var id = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString() : null;
            if (id is null || name is null)
            {
                throw new ConverseRequestException($"{at} needs an id and a function name.", "messages");
            }

            json.WriteStartObject();
            json.WriteStartObject("toolUse");
            json.WriteString("toolUseId", id);
            json.WriteString("name", name);
            json.WritePropertyName("input");
            var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            WriteArguments(arguments, at, json);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return true;
    }

    /// <summary>OpenAI carries tool arguments as a JSON string; Converse wants the object itself.</summary>
    private static void WriteArguments(string? arguments, string path, Utf8JsonWriter json)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
            return;
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            if (parsed.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConverseRequestException($"{path}.function.arguments must be a JSON object.", "messages");
            }

            parsed.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            throw new ConverseRequestException($"{path}.function.arguments is not valid JSON.", "messages");
        }
    }

    private static bool WriteToolResult(JsonElement message, string path, Utf8JsonWriter json)
    {
        var id = message.TryGetProperty("tool_call_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()
            : message.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (id is null)
        {
            throw new ConverseRequestException($"{path}.tool_call_id is required for a tool message.", "messages");
        }

        json.WriteStartObject();
        json.WriteStartObject("toolResult");
        json.WriteString("toolUseId", id);
        json.WriteStartArray("content");
        var content = message.TryGetProperty("content", out var c) ? c : default;
        var wrote = false;
        if (content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
        {
            WriteTextBlock(content.GetString(), json);
            wrote = true;
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            var part = 0;
            foreach (var item in content.EnumerateArray())
            {
                WritePart(item, $"{path}.content[{part++}]", json);
                wrote = true;
            }
        }

        if (!wrote)
        {
            // Converse rejects an empty tool result; an empty answer is still an answer.
            WriteTextBlock("(empty)", json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        return true;
    }

    private static void WriteTextBlock(string? text, Utf8JsonWriter json)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    /// <summary>Anthropic-style <c>cache_control</c> on a message or part becomes a Converse cache point after it.</summary>
    private static void WriteCachePoint(JsonElement element, Utf8JsonWriter json)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("cache_control", out var cache) && cache.ValueKind == JsonValueKind.Object)
        {
            json.WriteStartObject();
            json.WriteStartObject("cachePoint");
            json.WriteString("type", "default");
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private static void WriteInferenceConfig(JsonElement request, Utf8JsonWriter json)
    {
        json.WriteStartObject("inferenceConfig");
        var maxTokens = request.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind == JsonValueKind.Number ? mct
            : request.TryGetProperty("max_tokens", out var mt) && mt.ValueKind == JsonValueKind.Number ? mt : default;
        if (maxTokens.ValueKind == JsonValueKind.Number)
        {
            if (!maxTokens.TryGetInt32(out var tokens) || tokens < 1)
            {
                throw new ConverseRequestException("'max_tokens' must be a positive whole number.", "max_tokens");
            }

            json.WriteNumber("maxTokens", tokens);
        }

        CopyNumber(request, "temperature", "temperature", json);
        CopyNumber(request, "top_p", "topP", json);
        if (request.TryGetProperty("stop", out var stop))
        {
            var sequences = stop.ValueKind switch
            {
                JsonValueKind.String => [stop.GetString()!],
                JsonValueKind.Array => stop.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).ToList(),
                _ => new List<string>(),
            };
            sequences.RemoveAll(s => s.Length == 0);
            if (sequences.Count > 0)
            {
                json.WriteStartArray("stopSequences");
                sequences.ForEach(json.WriteStringValue);
                json.WriteEndArray();
            }
        }

        json.WriteEndObject();
    }

    private static void CopyNumber(JsonElement request, string from, string to, Utf8JsonWriter json)
    {
        if (request.TryGetProperty(from, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            json.WritePropertyName(to);
            value.WriteTo(json);
        }
    }

    private sealed record JsonToolSpec(string Name, string? Description, JsonElement? Schema);

    private static JsonToolSpec? JsonTool(JsonElement request)
    {
        if (!request.TryGetProperty("response_format", out var format) || format.ValueKind != JsonValueKind.Object
            || !format.TryGetProperty("type", out var type))
        {
            return null;
        }

        if (type.ValueEquals("json_object"))
        {
            return new JsonToolSpec(DefaultJsonToolName, null, null);
        }

        if (!type.ValueEquals("json_schema"))
        {
            return null;
        }

        var spec = format.TryGetProperty("json_schema", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var name = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        var description = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        JsonElement? schema = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("schema", out var sc) && sc.ValueKind == JsonValueKind.Object ? sc : null;
        return new JsonToolSpec(string.IsNullOrEmpty(name) ? DefaultJsonToolName : name, description, schema);
    }

    private static void WriteToolConfig(JsonElement request, JsonElement? tools, JsonToolSpec? jsonTool, bool forceJsonTool, bool dropParams, Utf8JsonWriter json)
    {
        json.WriteStartObject("toolConfig");
        json.WriteStartArray("tools");
        if (tools is { } list)
        {
            var index = 0;
            foreach (var tool in list.EnumerateArray())
            {
                var function = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name is null)
                {
                    throw new ConverseRequestException($"tools[{index}] must be a function tool with a name.", "tools");
                }

                var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                JsonElement? parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;
                WriteToolSpec(name, description, parameters, json);
                index++;
            }
        }

        if (jsonTool is not null)
        {
            WriteToolSpec(jsonTool.Name, jsonTool.Description, jsonTool.Schema, json);
        }

        json.WriteEndArray();
        if (jsonTool is not null && forceJsonTool)
        {
            WriteSpecificToolChoice(jsonTool.Name, json);
        }
        else if (request.TryGetProperty("tool_choice", out var choice))
        {
            WriteToolChoice(choice, dropParams, json);
        }

        json.WriteEndObject();
    }

    private static void WriteToolSpec(string name, string? description, JsonElement? schema, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartObject("toolSpec");
        json.WriteString("name", name);
        if (!string.IsNullOrEmpty(description))
        {
            json.WriteString("description", description);
        }

        json.WriteStartObject("inputSchema");
        json.WritePropertyName("json");
        if (schema is { } given)
        {
            given.WriteTo(json);
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteToolChoice(JsonElement choice, bool dropParams, Utf8JsonWriter json)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "auto":
                    json.WriteStartObject("toolChoice");
                    json.WriteStartObject("auto");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    return;
                case "required":
                    json.WriteStartObject("toolChoice");
                    json.WriteStartObject("any");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    return;
                case "none" when dropParams:
                    return;
                case "none":
                    throw new ConverseRequestException("bedrock does not support tool_choice 'none'. To drop it from the call, set drop_params: true.", "tool_choice");
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function)
                 && function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            WriteSpecificToolChoice(name.GetString()!, json);
            return;
        }

        throw new ConverseRequestException("'tool_choice' must be 'auto', 'required', 'none' or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
    }

    private static void WriteSpecificToolChoice(string name, Utf8JsonWriter json)
    {
        json.WriteStartObject("toolChoice");
        json.WriteStartObject("tool");
        json.WriteString("name", name);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Claude's extended thinking: <c>thinking</c> as Anthropic spells it, or <c>reasoning_effort</c> mapped to a
    /// budget as LiteLLM does (low 1024, medium 2048, high 4096 tokens). Other models take neither.
    /// </summary>
    private static JsonElement? Thinking(JsonElement request, BedrockModelFamily family, bool dropParams)
    {
        if (request.TryGetProperty("thinking", out var thinking) && thinking.ValueKind == JsonValueKind.Object)
        {
            return thinking;
        }

        if (!request.TryGetProperty("reasoning_effort", out var effort) || effort.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (family != BedrockModelFamily.Anthropic)
        {
            return dropParams ? null
                : throw new ConverseRequestException("bedrock supports reasoning_effort for Claude models only. To drop it from the call, set drop_params: true.", "reasoning_effort");
        }

        var budget = effort.GetString() switch
        {
            "minimal" or "low" => 1024,
            "medium" => 2048,
            "high" => 4096,
            _ => throw new ConverseRequestException("'reasoning_effort' must be minimal, low, medium or high.", "reasoning_effort"),
        };
        using var document = JsonDocument.Parse($$"""{"type":"enabled","budget_tokens":{{budget}}}""");
        return document.RootElement.Clone();
    }

    private static void WriteAdditionalFields(JsonElement request, BedrockModelFamily family, JsonElement? thinking, Utf8JsonWriter json)
    {
        var topK = request.TryGetProperty("top_k", out var k) && k.ValueKind == JsonValueKind.Number ? k : (JsonElement?)null;
        var given = request.TryGetProperty("additionalModelRequestFields", out var extra) && extra.ValueKind == JsonValueKind.Object ? extra : (JsonElement?)null;
        if (topK is null && thinking is null && given is null)
        {
            return;
        }

        json.WriteStartObject("additionalModelRequestFields");
        if (given is { } fields)
        {
            foreach (var field in fields.EnumerateObject())
            {
                field.WriteTo(json);
            }
        }

        if (topK is { } top)
        {
            if (family == BedrockModelFamily.Nova)
            {
                json.WriteStartObject("inferenceConfig");
                json.WritePropertyName("topK");
                top.WriteTo(json);
                json.WriteEndObject();
            }
            else
            {
                json.WritePropertyName("top_k");
                top.WriteTo(json);
            }
        }

        if (thinking is { } t)
        {
            json.WritePropertyName("thinking");
            t.WriteTo(json);
        }

        json.WriteEndObject();
    }
}
