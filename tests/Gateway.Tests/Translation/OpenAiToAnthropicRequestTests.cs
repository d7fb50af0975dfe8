using System.Text;
using System.Text.Json.Nodes;
using Gateway.Translation;

namespace Gateway.Tests.Translation;

public sealed class OpenAiToAnthropicRequestTests
{
    private static JsonNode Translate(string json, bool dropParams = false, int defaultMaxTokens = 4096) =>
        JsonNode.Parse(OpenAiToAnthropicRequest.Translate(Encoding.UTF8.GetBytes(json), "claude-x", defaultMaxTokens, dropParams))!;

    [Fact]
    public void System_and_developer_messages_become_system_blocks_and_same_role_turns_merge()
    {
        var anthropic = Translate("""
            {"model":"c","messages":[
              {"role":"system","content":"One."},
              {"role":"developer","content":[{"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}]},
              {"role":"user","content":"Hi"},
              {"role":"user","content":"again"},
              {"role":"assistant","content":"Hello"}]}
            """);

        Assert.Equal("""[{"type":"text","text":"One."},{"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}]""", anthropic["system"]!.ToJsonString());
        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"again"}]},{"role":"assistant","content":[{"type":"text","text":"Hello"}]}]""",
            anthropic["messages"]!.ToJsonString());
        Assert.Equal("claude-x", anthropic["model"]!.GetValue<string>());
        Assert.Equal(4096, anthropic["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Parameters_are_renamed_and_provider_specific_ones_pass_through()
    {
        var anthropic = Translate("""
            {"model":"c","messages":[{"role":"user","content":"x"}],"max_completion_tokens":77,"stop":"STOP","temperature":0.2,"top_p":0.8,
             "top_k":3,"thinking":{"type":"enabled","budget_tokens":1024},"user":"u1","n":1,"store":true,"reasoning_effort":"minimal",
             "stream":true,"stream_options":{"include_usage":true}}
            """);

        Assert.Equal(77, anthropic["max_tokens"]!.GetValue<int>());
        Assert.Equal("""["STOP"]""", anthropic["stop_sequences"]!.ToJsonString());
        Assert.Equal(3, anthropic["top_k"]!.GetValue<int>());
        Assert.Equal(1024, anthropic["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.Equal("u1", anthropic["metadata"]!["user_id"]!.GetValue<string>());
        Assert.Equal("low", anthropic["output_config"]!["effort"]!.GetValue<string>());
        Assert.True(anthropic["stream"]!.GetValue<bool>());
        Assert.Null(anthropic["n"]);
        Assert.Null(anthropic["store"]);
        Assert.Null(anthropic["stream_options"]);
    }

    [Theory]
    [InlineData("\"auto\"", """{"type":"auto"}""")]
    [InlineData("\"required\"", """{"type":"any"}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    [InlineData("""{"type":"function","function":{"name":"f"}}""", """{"type":"tool","name":"f"}""")]
    public void Tool_choice_maps_to_Anthropics(string openAi, string anthropic)
    {
        var translated = Translate($$$"""{"model":"c","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{{{openAi}}}}""");

        Assert.Equal(anthropic, translated["tool_choice"]!.ToJsonString());
        Assert.Equal("""[{"name":"f","input_schema":{"type":"object","properties":{}}}]""", translated["tools"]!.ToJsonString());
    }

    [Fact]
    public void Images_and_pdfs_become_source_blocks()
    {
        var anthropic = Translate("""
            {"model":"c","messages":[{"role":"user","content":[
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,QUJD","detail":"high"}},
              {"type":"image_url","image_url":"https://x.test/a.png"},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBE"}}]}]}
            """);

        Assert.Equal(
            """[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"QUJD"}},{"type":"image","source":{"type":"url","url":"https://x.test/a.png"}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}}]""",
            anthropic["messages"]![0]!["content"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"model":"c","messages":[{"role":"user","content":"x"}],"seed":1}""", "seed")]
    [InlineData("""{"model":"c","messages":[{"role":"user","content":"x"}],"n":2}""", "n")]
    [InlineData("""{"model":"c","messages":[{"role":"user","content":"x"}],"logit_bias":{"1":2}}""", "logit_bias")]
    [InlineData("""{"model":"c","messages":[{"role":"assistant","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{not json"}}]}]}""", "messages[0].tool_calls[0]")]
    [InlineData("""{"model":"c","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}""", "messages[0].content[0]")]
    [InlineData("""{"model":"c","messages":[{"role":"function","name":"f","content":"x"}]}""", "messages[0]")]
    [InlineData("""{"model":"c","messages":"hi"}""", "messages")]
    [InlineData("""{"model":"c","messages":[],"max_tokens":0}""", "max_tokens")]
    public void What_Anthropic_cannot_take_is_refused_with_the_parameter_named(string json, string param)
    {
        var exception = Assert.Throws<TranslationException>(() => Translate(json));

        Assert.Equal(param, exception.Param);
    }

    [Fact]
    public void Unsupported_parameters_are_dropped_when_drop_params_is_on()
    {
        var anthropic = Translate("""{"model":"c","messages":[{"role":"user","content":"x"}],"seed":1,"n":2,"frequency_penalty":1}""", dropParams: true);

        Assert.Null(anthropic["seed"]);
        Assert.Null(anthropic["n"]);
        Assert.Null(anthropic["frequency_penalty"]);
    }
}
