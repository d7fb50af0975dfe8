using System.Buffers;
using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Translation;

/// <summary>
/// Anthropic's stream events as OpenAI <c>chat.completion.chunk</c> events, one event in, zero or more chunks out,
/// nothing held back: text and thinking deltas become content and <c>reasoning_content</c> deltas, <c>tool_use</c>
/// blocks tool-call deltas (id and name first, then the argument fragments), <c>message_delta</c> the finish
/// reason, <c>message_stop</c> the usage chunk (when the caller asked with <c>stream_options.include_usage</c>)
/// and <c>[DONE]</c>; an <c>error</c> event becomes OpenAI's in-stream <c>{"error":…}</c>.
/// </summary>
internal sealed class AnthropicToOpenAiStream(long created, bool includeUsage)
{
    private readonly Dictionary<int, int> _toolCallByBlock = [];
    private string _id = "msg";
    private string? _model;
    private string? _finishReason;

    public TokenUsage? Usage { get; private set; }

    /// <summary>The stream came to its end: <c>message_stop</c> or an <c>error</c> event.</summary>
    public bool Finished { get; private set; }

    /// <summary>The <c>error</c> event's type (e.g. <c>overloaded_error</c>), when the upstream broke off with one.</summary>
    public string? ErrorType { get; private set; }

    public bool HasWritten { get; private set; }

    /// <summary>Writes the OpenAI chunks one Anthropic event makes into <paramref name="output"/>.</summary>
    public void Translate(SseEvent sse, IBufferWriter<byte> output)
    {
        using var document = JsonDocument.Parse(sse.Data);
        var data = document.RootElement;
        var type = data.TryGetProperty("type", out var t) ? t.GetString() : sse.Name;
        switch (type)
        {
            case "message_start":
                var message = data.GetProperty("message");
                _id = message.TryGetProperty("id", out var id) ? id.GetString() ?? _id : _id;
                _model = message.TryGetProperty("model", out var model) ? model.GetString() : null;
                Usage = UsageShapes.FromAnthropic(message.TryGetProperty("usage", out var startUsage) ? startUsage : default);
                WriteChunk(output, w =>
                {
                    w.WriteString("role", "assistant");
                    w.WriteString("content", string.Empty);
                });
                break;
            case "content_block_start":
                var block = data.GetProperty("content_block");
                var blockType = block.GetProperty("type").GetString();
                if (blockType == "tool_use")
                {
                    var index = _toolCallByBlock.Count;
                    _toolCallByBlock[data.GetProperty("index").GetInt32()] = index;
                    var callId = block.GetProperty("id").GetString();
                    var name = block.GetProperty("name").GetString();
                    WriteChunk(output, w => WriteToolCall(w, index, callId, name, string.Empty));
                }
                else if (blockType == "text" && block.TryGetProperty("text", out var initial) && initial.GetString() is { Length: > 0 } text)
                {
                    WriteChunk(output, w => w.WriteString("content", text));
                }

                break;
            case "content_block_delta":
                WriteDelta(data, output);
                break;
            case "message_delta":
                if (data.TryGetProperty("usage", out var deltaUsage))
                {
                    Usage = UsageShapes.FromAnthropic(deltaUsage, Usage);
                }

                _finishReason = StopReasons.ToFinishReason(data.TryGetProperty("delta", out var delta) && delta.TryGetProperty("stop_reason", out var stop) ? stop.GetString() : null);
                WriteChunk(output, _ => { }, _finishReason);
                break;
            case "message_stop":
                if (includeUsage && Usage is { } usage)
                {
                    WriteEvent(output, w =>
                    {
                        WriteHeader(w);
                        w.WriteStartArray("choices");
                        w.WriteEndArray();
                        UsageShapes.WriteOpenAi(w, usage);
                    });
                }

                output.Write("data: [DONE]\n\n"u8);
                HasWritten = true;
                Finished = true;
                break;
            case "ping":
                // A comment keeps idle connections (and proxies between) open while the model thinks.
                output.Write(": ping\n\n"u8);
                break;
            case "error":
                var error = data.TryGetProperty("error", out var e) ? e : default;
                ErrorType = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("type", out var errorType) ? errorType.GetString() : "api_error";
                var errorMessage = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : "The provider broke off the stream.";
                WriteEvent(output, w =>
                {
                    w.WriteStartObject("error");
                    w.WriteString("message", errorMessage);
                    w.WriteString("type", ErrorType);
                    w.WriteNull("param");
                    w.WriteNull("code");
                    w.WriteEndObject();
                });
                Finished = true;
                break;
        }
    }

    private void WriteDelta(JsonElement data, IBufferWriter<byte> output)
    {
        var delta = data.GetProperty("delta");
        switch (delta.GetProperty("type").GetString())
        {
            case "text_delta":
                var text = delta.GetProperty("text").GetString();
                WriteChunk(output, w => w.WriteString("content", text));
                break;
            case "input_json_delta":
                if (_toolCallByBlock.TryGetValue(data.GetProperty("index").GetInt32(), out var index))
                {
                    var partial = delta.GetProperty("partial_json").GetString();
                    WriteChunk(output, w => WriteToolCall(w, index, null, null, partial));
                }

                break;
            case "thinking_delta":
                var thinking = delta.GetProperty("thinking").GetString();
                WriteChunk(output, w => w.WriteString("reasoning_content", thinking));
                break;
        }
    }

    private static void WriteToolCall(Utf8JsonWriter writer, int index, string? id, string? name, string? arguments)
    {
        writer.WriteStartArray("tool_calls");
        writer.WriteStartObject();
        writer.WriteNumber("index", index);
        if (id is not null)
        {
            writer.WriteString("id", id);
            writer.WriteString("type", "function");
        }

        writer.WriteStartObject("function");
        if (name is not null)
        {
            writer.WriteString("name", name);
        }

        writer.WriteString("arguments", arguments);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private void WriteChunk(IBufferWriter<byte> output, Action<Utf8JsonWriter> delta, string? finishReason = null) =>
        WriteEvent(output, w =>
        {
            WriteHeader(w);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("delta");
            delta(w);
            w.WriteEndObject();
            if (finishReason is null)
            {
                w.WriteNull("finish_reason");
            }
            else
            {
                w.WriteString("finish_reason", finishReason);
            }

            w.WriteEndObject();
            w.WriteEndArray();
        });

    private void WriteHeader(Utf8JsonWriter writer)
    {
        writer.WriteString("id", _id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", created);
        writer.WriteString("model", _model);
    }

    private void WriteEvent(IBufferWriter<byte> output, Action<Utf8JsonWriter> body)
    {
        output.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(output, TranslationJsonContext.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.Write("\n\n"u8);
        HasWritten = true;
    }
}
