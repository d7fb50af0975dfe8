using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Translation;

namespace Gateway.Tests.Translation;

/// <summary>Anthropic requests in OpenAI's shape, and OpenAI answers (completions and chunks) in Anthropic's.</summary>
public sealed class OpenAiToAnthropicTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonNode Request(string json, bool maxCompletionTokens = false) =>
        JsonNode.Parse(AnthropicToOpenAiRequest.Translate(Encoding.UTF8.GetBytes(json), maxCompletionTokens))!;

    [Fact]
    public void An_Anthropic_request_becomes_OpenAI_messages_with_tool_results_first()
    {
        var openAi = Request("""
            {"model":"m","max_tokens":9,"system":[{"type":"text","text":"A"},{"type":"text","text":"B"}],"stop_sequences":["X"],
             "metadata":{"user_id":"u"},"stream":true,"top_k":4,"thinking":{"type":"enabled","budget_tokens":2000},
             "tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true},
             "tools":[{"name":"f","description":"d","input_schema":{"type":"object"}}],
             "messages":[
               {"role":"user","content":"Q"},
               {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"Calling."},{"type":"tool_use","id":"tu","name":"f","input":{"a":1}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu","content":[{"type":"text","text":"R"}]},{"type":"text","text":"Thanks"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}}]}]}
            """, maxCompletionTokens: true);

        Assert.Equal(
            """[{"role":"system","content":"A\n\nB"},{"role":"user","content":"Q"},{"role":"assistant","content":"Calling.","tool_calls":[{"id":"tu","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"tu","content":"R"},{"role":"user","content":[{"type":"text","text":"Thanks"},{"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD"}}]}]""",
            openAi["messages"]!.ToJsonString(Relaxed));
        Assert.Equal(9, openAi["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("""["X"]""", openAi["stop"]!.ToJsonString());
        Assert.Equal("u", openAi["user"]!.GetValue<string>());
        Assert.True(openAi["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("""{"type":"function","function":{"name":"f"}}""", openAi["tool_choice"]!.ToJsonString());
        Assert.False(openAi["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("""[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}}]""", openAi["tools"]!.ToJsonString());
        Assert.Null(openAi["top_k"]);
        Assert.Null(openAi["thinking"]);
    }

    [Fact]
    public void A_json_schema_output_format_becomes_response_format()
    {
        var openAi = Request("""{"model":"m","max_tokens":9,"messages":[],"output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}}""");

        Assert.Equal("""{"type":"json_schema","json_schema":{"name":"output","schema":{"type":"object"}}}""", openAi["response_format"]!.ToJsonString());
        Assert.Equal(9, openAi["max_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":9,"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]}""", "tools.0")]
    [InlineData("""{"model":"m","max_tokens":9,"messages":[{"role":"system","content":"x"}]}""", "messages.0")]
    [InlineData("""{"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"file","file_id":"f"}}]}]}""", "messages.0.content.0")]
    public void What_an_OpenAI_deployment_cannot_take_is_refused(string json, string param)
    {
        var exception = Assert.Throws<TranslationException>(() => Request(json));

        Assert.Equal(param, exception.Param);
    }

    [Fact]
    public void A_completion_with_tool_calls_and_cached_tokens_becomes_a_message()
    {
        const string completion = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"gpt","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Sure.",
             "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},{"id":"call_2","type":"function","function":{"name":"g","arguments":"oops"}}]}}],
             "usage":{"prompt_tokens":30,"completion_tokens":4,"total_tokens":34,"prompt_tokens_details":{"cached_tokens":10}}}
            """;

        Assert.True(OpenAiToAnthropicResponse.TryTranslate(Encoding.UTF8.GetBytes(completion), out var translated));

        var message = JsonNode.Parse(translated)!;
        Assert.Equal("msg_chatcmpl-1", message["id"]!.GetValue<string>());
        Assert.Equal(
            """[{"type":"text","text":"Sure."},{"type":"tool_use","id":"call_1","name":"f","input":{"a":1}},{"type":"tool_use","id":"call_2","name":"g","input":{"raw":"oops"}}]""",
            message["content"]!.ToJsonString());
        Assert.Equal("tool_use", message["stop_reason"]!.GetValue<string>());
        Assert.Equal("""{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":4}""", message["usage"]!.ToJsonString());
    }

    [Fact]
    public void Chunks_become_Anthropic_events_with_usage_in_message_delta()
    {
        var translator = new OpenAiToAnthropicStream();
        var output = new ArrayBufferWriter<byte>();
        string[] chunks =
        [
            """{"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            """{"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""",
            """{"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}""",
            """{"id":"c1","model":"gpt","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            """{"id":"c1","model":"gpt","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]",
        ];

        foreach (var chunk in chunks)
        {
            translator.Translate(new SseEvent(null, Encoding.UTF8.GetBytes(chunk)), output);
        }

        var events = Encoding.UTF8.GetString(output.WrittenSpan).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Split('\n')[0]["event: ".Length..]));
        Assert.Contains("\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"f\",\"input\":{}}", events[4], StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"tool_use\"", events[7], StringComparison.Ordinal);
        Assert.Contains("\"input_tokens\":3", events[7], StringComparison.Ordinal);
        Assert.Contains("\"output_tokens\":2", events[7], StringComparison.Ordinal);
        Assert.True(translator.Finished);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(504, "timeout_error")]
    public void Errors_get_Anthropics_type_for_their_status(int status, string type)
    {
        var body = JsonNode.Parse(OpenAiToAnthropicResponse.Error(status, """{"error":{"message":"m","type":"x"}}"""u8))!;

        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal(type, body["error"]!["type"]!.GetValue<string>());
        Assert.Equal("m", body["error"]!["message"]!.GetValue<string>());
    }
}
