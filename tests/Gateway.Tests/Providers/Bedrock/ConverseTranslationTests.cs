using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Providers.Bedrock.Converse;
using Gateway.Providers.Bedrock.EventStream;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>OpenAI chat completions ⇄ Bedrock Converse, both directions, streaming included.</summary>
public sealed class ConverseTranslationTests
{
    private const string Claude = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

    private static (JsonNode Body, ConverseRequestShape Shape) Translate(string openAi, string model = Claude, bool dropParams = false)
    {
        using var request = JsonDocument.Parse(openAi);
        var buffer = new ArrayBufferWriter<byte>();
        ConverseRequestShape shape;
        using (var json = new Utf8JsonWriter(buffer))
        {
            shape = ConverseRequestWriter.Write(request.RootElement, model, dropParams, json);
        }

        return (JsonNode.Parse(buffer.WrittenSpan)!, shape);
    }

    [Fact]
    public void System_messages_become_system_blocks_and_parameters_the_inference_config()
    {
        var (body, _) = Translate("""
            {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
             {"role":"user","content":"Hi"}],"max_tokens":50,"temperature":0.2,"top_p":0.9,"stop":"END"}
            """);

        Assert.Equal("""[{"text":"Be brief."},{"text":"Answer in French."}]""", body["system"]!.ToJsonString());
        Assert.Equal("""[{"role":"user","content":[{"text":"Hi"}]}]""", body["messages"]!.ToJsonString());
        Assert.Equal("""{"maxTokens":50,"temperature":0.2,"topP":0.9,"stopSequences":["END"]}""", body["inferenceConfig"]!.ToJsonString());
        Assert.Null(body["toolConfig"]);
    }

    [Fact]
    public void Tool_calls_and_their_results_become_toolUse_and_toolResult_blocks_in_alternating_turns()
    {
        var (body, _) = Translate("""
            {"model":"m","messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18C"},
              {"role":"tool","tool_call_id":"call_2","content":"24C"},
              {"role":"user","content":"Which is warmer?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"required"}
            """);

        var messages = body["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("""{"toolUseId":"call_1","name":"get_weather","input":{"city":"Paris"}}""", messages[1]!["content"]![0]!["toolUse"]!.ToJsonString());
        var results = messages[2]!["content"]!.AsArray();
        Assert.Equal("""{"toolUseId":"call_2","content":[{"text":"24C"}]}""", results[1]!["toolResult"]!.ToJsonString());
        Assert.Equal("Which is warmer?", results[2]!["text"]!.GetValue<string>());
        Assert.Equal("""{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather now","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}],"toolChoice":{"any":{}}}""",
            body["toolConfig"]!.ToJsonString());
    }

    [Fact]
    public void A_data_URL_image_becomes_an_image_block_with_its_bytes_untouched()
    {
        var (body, _) = Translate("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}
            """);

        Assert.Equal("""{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}""", body["messages"]![0]!["content"]![1]!.ToJsonString());
    }

    [Fact]
    public void A_remote_image_URL_is_refused_because_Bedrock_takes_bytes()
    {
        var error = Assert.Throws<ConverseRequestException>(() => Translate("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """));

        Assert.Contains("data URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Response_format_json_schema_becomes_a_forced_tool()
    {
        var (body, shape) = Translate("""
            {"model":"m","messages":[{"role":"user","content":"Name a city"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}}
            """);

        Assert.Equal("city", shape.JsonToolName);
        Assert.Equal("city", body["toolConfig"]!["tools"]![0]!["toolSpec"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"tool":{"name":"city"}}""", body["toolConfig"]!["toolChoice"]!.ToJsonString());
    }

    [Fact]
    public void Parameters_Converse_lacks_fail_unless_drop_params_is_set()
    {
        const string request = """{"model":"m","messages":[{"role":"user","content":"Hi"}],"presence_penalty":0.5,"seed":7,"n":1}""";

        var error = Assert.Throws<ConverseRequestException>(() => Translate(request));
        Assert.Contains("presence_penalty, seed", error.Message, StringComparison.Ordinal);
        Assert.Contains("drop_params", error.Message, StringComparison.Ordinal);

        var (body, _) = Translate(request, dropParams: true);
        Assert.Null(body["seed"]);
    }

    [Fact]
    public void Reasoning_effort_becomes_a_thinking_budget_for_Claude()
    {
        var (body, _) = Translate("""{"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"medium","top_k":5}""");

        Assert.Equal("""{"top_k":5,"thinking":{"type":"enabled","budget_tokens":2048}}""", body["additionalModelRequestFields"]!.ToJsonString());
    }

    [Fact]
    public void Tool_history_without_tools_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<ConverseRequestException>(() => Translate("""
            {"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"c","content":"ok"}]}
            """));

        Assert.Equal("tools", error.Param);
    }

    [Fact]
    public void A_Converse_answer_becomes_a_chat_completion_with_tool_calls_finish_reason_and_cached_usage()
    {
        const string converse = """
            {"output":{"message":{"role":"assistant","content":[{"text":"Let me check."},{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}}]}},
             "stopReason":"tool_use","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":115,"cacheReadInputTokens":80,"cacheWriteInputTokens":20},"metrics":{"latencyMs":100}}
            """;
        using var document = JsonDocument.Parse(converse);
        var buffer = new ArrayBufferWriter<byte>();
        Gateway.Usage.TokenUsage usage;
        using (var json = new Utf8JsonWriter(buffer))
        {
            usage = ConverseResponseWriter.Write(document.RootElement, Claude, "chatcmpl-1", 1_700_000_000, null, json);
        }

        var answer = JsonNode.Parse(buffer.WrittenSpan)!;
        var choice = answer["choices"]![0]!;
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal("Let me check.", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("""{"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\u0022city\u0022:\u0022Paris\u0022}"}}""",
            choice["message"]!["tool_calls"]![0]!.ToJsonString());
        Assert.Equal(110, answer["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(80, answer["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.Equal(new Gateway.Usage.TokenUsage(110, 5, 115, 80, 20), usage);
    }

    [Fact]
    public void Stream_events_become_chunks_with_tool_call_deltas_finish_reason_and_a_usage_chunk()
    {
        var translator = new ConverseStreamTranslator("chatcmpl-s", Claude, 1_700_000_000, new ConverseRequestShape(null, IncludeUsage: true));
        var output = new ArrayBufferWriter<byte>();
        foreach (var frame in new[]
                 {
                     EventStreamEncoder.Event("messageStart", """{"role":"assistant","p":"abc"}"""),
                     EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Checking"}}"""),
                     EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
                     EventStreamEncoder.Event("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tu_1","name":"get_weather"}}}"""),
                     EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"""),
                     EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}}"""),
                     EventStreamEncoder.Event("messageStop", """{"stopReason":"tool_use"}"""),
                     EventStreamEncoder.Event("metadata", """{"usage":{"inputTokens":12,"outputTokens":9,"totalTokens":21},"metrics":{"latencyMs":5}}"""),
                 })
        {
            Assert.True(EventStreamDecoder.TryDecode(frame, out var message, out _, out _));
            translator.Translate(message!, output);
        }

        var chunks = Encoding.UTF8.GetString(output.WrittenSpan).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line["data: ".Length..])!).ToList();
        Assert.Equal(7, chunks.Count);
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal("Checking", chunks[1]["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
        Assert.Equal("""[{"index":0,"id":"tu_1","type":"function","function":{"name":"get_weather","arguments":""}}]""", chunks[2]["choices"]![0]!["delta"]!["tool_calls"]!.ToJsonString());
        Assert.Equal("{\"city\":\"Paris\"}", string.Concat(chunks.Skip(3).Take(2).Select(c => c["choices"]![0]!["delta"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>())));
        Assert.Equal("tool_calls", chunks[5]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Empty(chunks[6]["choices"]!.AsArray());
        Assert.Equal(21, chunks[6]["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.True(translator.Stopped);
    }
}
