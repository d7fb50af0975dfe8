using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Translation;

namespace Gateway.Tests.Translation;

/// <summary>Anthropic answers (messages and stream events) in OpenAI's shape.</summary>
public sealed class AnthropicToOpenAiTests
{
    [Fact]
    public void A_message_with_thinking_text_and_tool_use_becomes_one_choice()
    {
        const string message = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[
              {"type":"thinking","thinking":"Hmm.","signature":"sig"},
              {"type":"text","text":"Checking."},
              {"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}],
             "stop_reason":"tool_use","usage":{"input_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":9}}
            """;

        Assert.True(AnthropicToOpenAiResponse.TryTranslate(Encoding.UTF8.GetBytes(message), 1700000000, out var translated, out var usage));

        var completion = JsonNode.Parse(translated)!;
        var choice = completion["choices"]![0]!;
        Assert.Equal("Checking.", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("Hmm.", choice["message"]!["reasoning_content"]!.GetValue<string>());
        Assert.Equal("sig", choice["message"]!["thinking_blocks"]![0]!["signature"]!.GetValue<string>());
        Assert.Equal("""[{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]""", choice["message"]!["tool_calls"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(125, completion["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(100, completion["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.Equal(new Gateway.Usage.TokenUsage(125, 9, 134, 100, 20), usage);
    }

    [Fact]
    public void One_hour_cache_writes_are_counted_apart_and_stream_usage_builds_on_message_start()
    {
        var started = UsageShapes.FromAnthropic(JsonDocument.Parse("""
            {"input_tokens":4,"cache_read_input_tokens":10,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":1}
            """).RootElement);
        var finished = UsageShapes.FromAnthropic(JsonDocument.Parse("""{"output_tokens":9}""").RootElement, started);

        Assert.Equal(new Gateway.Usage.TokenUsage(44, 1, 45, 10, 30, 20), started);
        Assert.Equal(new Gateway.Usage.TokenUsage(44, 9, 53, 10, 30, 20), finished);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    public void Stop_reasons_map_to_finish_reasons(string stopReason, string finishReason) =>
        Assert.Equal(finishReason, StopReasons.ToFinishReason(stopReason));

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"content\":\"not a list\"}")]
    [InlineData("{\"content\":[")]
    public void What_is_not_a_message_is_malformed(string json) =>
        Assert.False(AnthropicToOpenAiResponse.TryTranslate(Encoding.UTF8.GetBytes(json), 0, out _, out _));

    [Fact]
    public void Stream_events_become_chunks_with_two_tool_calls_indexed_apart()
    {
        var translator = new AnthropicToOpenAiStream(1700000000, includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        string[] events =
        [
            """{"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"ping"}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""",
            """{"type":"content_block_stop","index":0}""",
            """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}}""",
            """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"g","input":{}}}""",
            """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}""",
            """{"type":"message_stop"}""",
        ];

        foreach (var data in events)
        {
            translator.Translate(new SseEvent(null, Encoding.UTF8.GetBytes(data)), output);
        }

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains(": ping\n\n", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e[6..]).RootElement).ToList();
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("Hi", chunks[1].GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        var calls = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0 && c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        Assert.Equal([0, 0, 0, 1], calls.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal("toolu_1", calls[0].GetProperty("id").GetString());
        Assert.Equal("{\"a\":1}", string.Concat(calls.Take(3).Select(c => c.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal("tool_calls", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(12, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(5, chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.True(translator.Finished);
    }

    [Fact]
    public void An_error_event_becomes_an_in_stream_error_without_done()
    {
        var translator = new AnthropicToOpenAiStream(0, includeUsage: false);
        var output = new ArrayBufferWriter<byte>();

        translator.Translate(new SseEvent("error", Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")), output);

        Assert.Equal("""data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}""" + "\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal("overloaded_error", translator.ErrorType);
        Assert.True(translator.Finished);
    }
}
