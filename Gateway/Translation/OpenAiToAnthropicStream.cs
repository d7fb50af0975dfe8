using System.Buffers;
using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Translation;

/// <summary>
/// OpenAI <c>chat.completion.chunk</c> events as Anthropic's stream, chunk by chunk: the first chunk opens the
/// message (<c>message_start</c>), content deltas a text block, each new tool call a <c>tool_use</c> block whose
/// argument fragments are <c>input_json_delta</c>s; <c>[DONE]</c> closes the open block and ends with
/// <c>message_delta</c> (stop reason and usage, which OpenAI sends last) and <c>message_stop</c>. OpenAI's in-stream
/// <c>{"error":…}</c> becomes an <c>error</c> event.
/// </summary>
internal sealed class OpenAiToAnthropicStream
{
    private enum Block
    {
        None,
        Text,
        Tool,
    }

    private Block _open;
    private int _nextIndex;
    private int _openToolCall = -1;
    private string? _finishReason;
    private TokenUsage _usage;

    public bool Started { get; private set; }

    public bool Finished { get; private set; }

    /// <summary>Writes the Anthropic events one OpenAI event makes into <paramref name="output"/>.</summary>
    public void Translate(SseEvent sse, IBufferWriter<byte> output)
    {
        if (Finished)
        {
            return;
        }

        if (sse.IsDone)
        {
            Finish(output);
            return;
        }

        using var document = JsonDocument.Parse(sse.Data);
        var chunk = document.RootElement;
        if (chunk.TryGetProperty("error", out var error))
        {
            var (message, _) = ErrorBodies.Read(sse.Data);
            WriteEvent(output, "error", w =>
            {
                w.WriteString("type", "error");
                w.WriteStartObject("error");
                w.WriteString("type", "api_error");
                w.WriteString("message", message ?? error.ToString());
                w.WriteEndObject();
            });
            Finished = true;
            return;
        }

        if (!Started)
        {
            Start(chunk, output);
        }

        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && UsageJson.TryRead(sse.Data, out var read) && read is { } found)
        {
            _usage = found;
        }

        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return;
        }

        var choice = choices[0];
        if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
        {
            if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
            {
                Open(Block.Text, output);
                WriteEvent(output, "content_block_delta", w => WriteDelta(w, "text_delta", "text", text));
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    ToolCall(call, output);
                }
            }
        }

        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            _finishReason = finish.GetString();
        }
    }

    /// <summary>Ends the message when the upstream's stream ended without <c>[DONE]</c> after its finish reason; false when it broke off before.</summary>
    public bool TryFinish(IBufferWriter<byte> output)
    {
        if (!Finished && _finishReason is not null)
        {
            Finish(output);
        }

        return Finished;
    }

    private void Start(JsonElement chunk, IBufferWriter<byte> output)
    {
        Started = true;
        var isChunk = chunk.ValueKind == JsonValueKind.Object;
        var id = OpenAiToAnthropicResponse.MessageId(isChunk && chunk.TryGetProperty("id", out var i) ? i.GetString() : null);
        var model = isChunk && chunk.TryGetProperty("model", out var m) ? m.GetString() : null;
        WriteEvent(output, "message_start", w =>
        {
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", id);
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            UsageShapes.WriteAnthropic(w, default);
            w.WriteEndObject();
        });
    }

    private void ToolCall(JsonElement call, IBufferWriter<byte> output)
    {
        var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var value) ? value : 0;
        var function = call.TryGetProperty("function", out var f) ? f : default;
        if (index != _openToolCall || _open != Block.Tool)
        {
            var id = call.TryGetProperty("id", out var idElement) ? idElement.GetString() : $"toolu_{index}";
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) ? n.GetString() : null;
            Close(output);
            _open = Block.Tool;
            _openToolCall = index;
            WriteEvent(output, "content_block_start", w =>
            {
                w.WriteString("type", "content_block_start");
                w.WriteNumber("index", _nextIndex);
                w.WriteStartObject("content_block");
                w.WriteString("type", "tool_use");
                w.WriteString("id", id);
                w.WriteString("name", name);
                w.WriteStartObject("input");
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var arguments) && arguments.GetString() is { Length: > 0 } partial)
        {
            WriteEvent(output, "content_block_delta", w => WriteDelta(w, "input_json_delta", "partial_json", partial));
        }
    }

    private void Open(Block block, IBufferWriter<byte> output)
    {
        if (_open == block)
        {
            return;
        }

        Close(output);
        _open = block;
        WriteEvent(output, "content_block_start", w =>
        {
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", _nextIndex);
            w.WriteStartObject("content_block");
            w.WriteString("type", "text");
            w.WriteString("text", string.Empty);
            w.WriteEndObject();
        });
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (_open == Block.None)
        {
            return;
        }

        WriteEvent(output, "content_block_stop", w =>
        {
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", _nextIndex);
        });
        _open = Block.None;
        _openToolCall = -1;
        _nextIndex++;
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (!Started)
        {
            Start(default, output);
        }

        Close(output);
        WriteEvent(output, "message_delta", w =>
        {
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReasons.ToStopReason(_finishReason));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            UsageShapes.WriteAnthropic(w, _usage);
        });
        WriteEvent(output, "message_stop", w => w.WriteString("type", "message_stop"));
        Finished = true;
    }

    private void WriteDelta(Utf8JsonWriter writer, string type, string field, string value)
    {
        writer.WriteString("type", "content_block_delta");
        writer.WriteNumber("index", _nextIndex);
        writer.WriteStartObject("delta");
        writer.WriteString("type", type);
        writer.WriteString(field, value);
        writer.WriteEndObject();
    }

    private static void WriteEvent(IBufferWriter<byte> output, string name, Action<Utf8JsonWriter> body)
    {
        output.Write("event: "u8);
        output.Write(System.Text.Encoding.UTF8.GetBytes(name));
        output.Write("\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output, TranslationJsonContext.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }
}
