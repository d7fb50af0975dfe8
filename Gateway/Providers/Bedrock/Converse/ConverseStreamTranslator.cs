using System.Buffers;
using System.Text.Json;
using Gateway.Providers.Bedrock.EventStream;
using Gateway.Translation;
using Gateway.Usage;

namespace Gateway.Providers.Bedrock.Converse;

/// <summary>
/// Turns ConverseStream events into OpenAI <c>chat.completion.chunk</c> server-sent events, one call per event so
/// each can be flushed as it comes: <c>messageStart</c> → the role chunk; <c>contentBlockStart</c> of a tool →
/// the tool call's id and name; <c>contentBlockDelta</c> → content, tool arguments or <c>reasoning_content</c>;
/// <c>messageStop</c> → <c>finish_reason</c>; <c>metadata</c> → usage (a last chunk with no choices when the
/// caller asked for <c>stream_options.include_usage</c>).
/// </summary>
internal sealed class ConverseStreamTranslator(string id, string model, long created, ConverseRequestShape shape)
{
    private readonly Dictionary<int, ToolBlock> _tools = [];
    private int _nextToolIndex;
    private bool _calledTools;

    public TokenUsage? Usage { get; private set; }

    /// <summary>True once <c>messageStop</c> arrived: the answer is complete.</summary>
    public bool Stopped { get; private set; }

    /// <exception cref="FormatException">An event's payload is not what ConverseStream sends.</exception>
    public void Translate(EventStreamMessage message, IBufferWriter<byte> output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Payload);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"ConverseStream event '{message.Kind}' is not JSON: {exception.Message}");
        }

        using (document)
        {
            var payload = document.RootElement;
            switch (message.Kind)
            {
                case "messageStart":
                    WriteChunk(output, json => json.WriteString("role", "assistant"), json => json.WriteString("content", string.Empty));
                    break;
                case "contentBlockStart":
                    StartBlock(payload, output);
                    break;
                case "contentBlockDelta":
                    Delta(payload, output);
                    break;
                case "messageStop":
                    Stopped = true;
                    var stopReason = payload.TryGetProperty("stopReason", out var stop) && stop.ValueKind == JsonValueKind.String ? stop.GetString() : null;
                    WriteChunk(output, null, finishReason: ConverseUsage.FinishReason(stopReason, shape.JsonToolName is not null && !_calledTools));
                    break;
                case "metadata":
                    if (payload.TryGetProperty("usage", out var usage))
                    {
                        Usage = ConverseUsage.Read(usage);
                        if (shape.IncludeUsage)
                        {
                            WriteUsageChunk(Usage.Value, output);
                        }
                    }

                    break;
            }
        }
    }

    public static void WriteDone(IBufferWriter<byte> output) => output.Write("data: [DONE]\n\n"u8);

    private void StartBlock(JsonElement payload, IBufferWriter<byte> output)
    {
        if (!payload.TryGetProperty("start", out var start) || !start.TryGetProperty("toolUse", out var toolUse) || toolUse.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var blockIndex = BlockIndex(payload);
        var name = toolUse.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
        if (shape.JsonToolName is not null && name == shape.JsonToolName)
        {
            _tools[blockIndex] = new ToolBlock(-1, IsJsonAnswer: true);
            return;
        }

        var toolIndex = _nextToolIndex++;
        _calledTools = true;
        _tools[blockIndex] = new ToolBlock(toolIndex, IsJsonAnswer: false);
        var toolUseId = toolUse.TryGetProperty("toolUseId", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        WriteChunk(output, json =>
        {
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", toolIndex);
            json.WriteString("id", toolUseId);
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", name);
            json.WriteString("arguments", string.Empty);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    private void Delta(JsonElement payload, IBufferWriter<byte> output)
    {
        if (!payload.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a contentBlockDelta event has a 'delta' object");
        }

        if (delta.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            WriteChunk(output, json => json.WriteString("content", text.GetString()));
        }
        else if (delta.TryGetProperty("toolUse", out var toolUse) && toolUse.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            if (!_tools.TryGetValue(BlockIndex(payload), out var tool))
            {
                throw new FormatException("a toolUse delta arrived for a content block that did not start a tool call");
            }

            if (tool.IsJsonAnswer)
            {
                WriteChunk(output, json => json.WriteString("content", input.GetString()));
                return;
            }

            WriteChunk(output, json =>
            {
                json.WriteStartArray("tool_calls");
                json.WriteStartObject();
                json.WriteNumber("index", tool.Index);
                json.WriteStartObject("function");
                json.WriteString("arguments", input.GetString());
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
            });
        }
        else if (delta.TryGetProperty("reasoningContent", out var reasoning) && reasoning.TryGetProperty("text", out var reasoningText)
                 && reasoningText.ValueKind == JsonValueKind.String)
        {
            WriteChunk(output, json => json.WriteString("reasoning_content", reasoningText.GetString()));
        }
    }

    private static int BlockIndex(JsonElement payload) =>
        payload.TryGetProperty("contentBlockIndex", out var index) && index.TryGetInt32(out var value) ? value : 0;

    private void WriteChunk(IBufferWriter<byte> output, Action<Utf8JsonWriter>? delta, Action<Utf8JsonWriter>? more = null, string? finishReason = null)
    {
        output.Write("data: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            WriteHeader(json);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            delta?.Invoke(json);
            more?.Invoke(json);
            json.WriteEndObject();
            json.WriteNull("logprobs");
            if (finishReason is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteString("finish_reason", finishReason);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }

    private void WriteUsageChunk(TokenUsage usage, IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            WriteHeader(json);
            json.WriteStartArray("choices");
            json.WriteEndArray();
            UsageShapes.WriteOpenAi(json, usage);
            json.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }

    private void WriteHeader(Utf8JsonWriter json)
    {
        json.WriteString("id", id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    private readonly record struct ToolBlock(int Index, bool IsJsonAnswer);
}
