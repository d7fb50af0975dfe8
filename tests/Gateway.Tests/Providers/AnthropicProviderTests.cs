using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OpenAI.Chat;

namespace Gateway.Tests.Providers;

/// <summary>
/// <c>anthropic/</c> deployments behind the OpenAI API, through the official OpenAI .NET SDK: requests reach a fake of
/// Anthropic's Messages API over real HTTP in Anthropic's shape, and answers (JSON and event streams) come back in
/// OpenAI's, tools included; upstream failures come back in OpenAI's error shape with the right status.
/// </summary>
public sealed class AnthropicProviderTests : IAsyncLifetime
{
    private const string AnthropicKey = "sk-ant-api03-upstream-secret-key-42";
    private const string OAuthToken = "sk-ant-oat01-upstream-oauth-token-43";
    private readonly TemporaryDirectory _data = new();
    private FakeAnthropicUpstream _upstream = null!;
    private FakeAnthropicUpstream _oauthUpstream = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeAnthropicUpstream.StartAsync(AnthropicKey);
        _oauthUpstream = await FakeAnthropicUpstream.StartAsync(OAuthToken);
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5-20250929
                  api_base: {_upstream.ApiBase}
                  api_key: {AnthropicKey}
                  timeout: 2
              - model_name: claude-oauth
                litellm_params:
                  model: anthropic/claude-opus-4-5
                  api_base: {_oauthUpstream.ApiBase}
                  api_key: {OAuthToken}
              - model_name: claude-capped
                litellm_params:
                  model: anthropic/claude-haiku-4-5
                  api_base: {_upstream.ApiBase}
                  api_key: {AnthropicKey}
                  drop_params: true
                model_info:
                  max_output_tokens: 1000
            router_settings:
              num_retries: 0
            """);
    }

    [Fact]
    public async Task OpenAI_chat_reaches_the_Messages_API_in_Anthropics_shape_and_answers_in_OpenAIs()
    {
        var messages = new List<ChatMessage> { new SystemChatMessage("Be brief."), new UserChatMessage("Hello"), new AssistantChatMessage("Hi!"), new UserChatMessage("How are you?") };
        var options = new ChatCompletionOptions { Temperature = 0.5f, TopP = 0.9f, StopSequences = { "END" }, EndUserId = "user-7" };

        var result = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(messages, options, Cancellation);

        Assert.Equal("Hello from the fake Anthropic upstream", result.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.Equal(FakeAnthropicReply.InputTokens, result.Value.Usage.InputTokenCount);
        Assert.Equal(FakeAnthropicReply.OutputTokens, result.Value.Usage.OutputTokenCount);
        Assert.Equal("anthropic", result.Header(GatewayCallHeaders.Provider));
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/messages", request.Path);
        Assert.Equal(AnthropicKey, request.Header("x-api-key"));
        Assert.Null(request.Header("authorization"));
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
        var body = request.Json!;
        Assert.Equal("claude-sonnet-4-5-20250929", body["model"]!.GetValue<string>());
        Assert.Equal("""[{"type":"text","text":"Be brief."}]""", body["system"]!.ToJsonString());
        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"Hello"}]},{"role":"assistant","content":[{"type":"text","text":"Hi!"}]},{"role":"user","content":[{"type":"text","text":"How are you?"}]}]""",
            body["messages"]!.ToJsonString());
        Assert.Equal(65536, body["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.5, body["temperature"]!.GetValue<double>());
        Assert.Equal("""["END"]""", body["stop_sequences"]!.ToJsonString());
        Assert.Equal("user-7", body["metadata"]!["user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Streamed_answer_arrives_as_OpenAI_chunks_with_usage_when_asked()
    {
        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"messages":[{"role":"user","content":"x"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Cancellation);
        var events = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var chunks = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("data: ", StringComparison.Ordinal)).Select(e => e[6..]).ToList();
        Assert.Equal("[DONE]", chunks[^1]);
        var parsed = chunks[..^1].Select(c => JsonDocument.Parse(c).RootElement).ToList();
        Assert.All(parsed, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", parsed[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var text = string.Concat(parsed.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var content) ? content.GetString() : null));
        Assert.Equal("Hello from the fake Anthropic upstream", text);
        Assert.Equal("stop", parsed[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = parsed[^1].GetProperty("usage");
        Assert.Equal(FakeAnthropicReply.InputTokens, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(FakeAnthropicReply.OutputTokens, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(50, Assert.Single(_upstream.Requests).Json!["max_tokens"]!.GetValue<int>());
        await _gateway.Logs.LineContainingAsync($"served by claude (anthropic) with 200 after 1 attempt(s): {FakeAnthropicReply.InputTokens} prompt + {FakeAnthropicReply.OutputTokens} completion tokens");
    }

    [Fact]
    public async Task Streamed_answer_through_the_SDK_is_not_buffered()
    {
        var clientReadFirst = new TaskCompletionSource();
        var timings = new StreamTimings();
        _upstream.Enqueue(FakeAnthropicReply.GatedStream("First", " and the rest of it", clientReadFirst.Task, timings));

        var (text, firstChunkReceivedAt) = await GatewayClients.StreamChatAsync(GatewayClients.Chat(_gateway, "claude"), "Go", clientReadFirst.SetResult, Cancellation);

        Assert.Equal("First and the rest of it", text);
        Assert.True(firstChunkReceivedAt < timings.LastChunkSentAt, "The client got its first chunk only after the upstream had sent everything: the gateway buffered the stream.");
    }

    [Fact]
    public async Task Tools_go_up_as_Anthropic_tools_and_the_tool_call_comes_back_as_an_OpenAI_tool_call()
    {
        _upstream.Enqueue(FakeAnthropicReply.ToolUse("get_weather", """{"city":"Paris"}"""));
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), AllowParallelToolCalls = false };

        var result = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options, Cancellation);

        Assert.Equal(ChatFinishReason.ToolCalls, result.Value.FinishReason);
        var call = Assert.Single(result.Value.ToolCalls);
        Assert.Equal("toolu_fake_1", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        var sent = Assert.Single(_upstream.Requests).Json!;
        Assert.Equal("get_weather", sent["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("object", sent["tools"]![0]!["input_schema"]!["type"]!.GetValue<string>());
        Assert.Equal("""{"type":"any","disable_parallel_tool_use":true}""", sent["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public async Task Tool_results_go_back_as_tool_result_blocks_in_a_user_turn()
    {
        var history = new List<ChatMessage>
        {
            new UserChatMessage("Weather in Paris and Rome?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("toolu_1", "get_weather", BinaryData.FromString("""{"city":"Paris"}""")),
                                      ChatToolCall.CreateFunctionToolCall("toolu_2", "get_weather", BinaryData.FromString("""{"city":"Rome"}"""))]),
            new ToolChatMessage("toolu_1", "18 C"),
            new ToolChatMessage("toolu_2", "21 C"),
        };

        await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(history, cancellationToken: Cancellation);

        var messages = Assert.Single(_upstream.Requests).Json!["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal(
            """{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome"}}]}""",
            messages[1]!.ToJsonString());
        Assert.Equal(
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18 C"},{"type":"tool_result","tool_use_id":"toolu_2","content":"21 C"}]}""",
            messages[2]!.ToJsonString());
    }

    [Fact]
    public async Task Streamed_tool_call_arrives_as_OpenAI_tool_call_deltas()
    {
        _upstream.Enqueue(FakeAnthropicReply.ToolUse("get_weather", """{"city":"Paris"}"""));
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));

        var text = new System.Text.StringBuilder();
        var arguments = new System.Text.StringBuilder();
        string? id = null, name = null;
        ChatFinishReason? finish = null;
        await foreach (var update in GatewayClients.Chat(_gateway, "claude").CompleteChatStreamingAsync([new UserChatMessage("Weather?")], new ChatCompletionOptions { Tools = { tool } }, Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            foreach (var call in update.ToolCallUpdates)
            {
                Assert.Equal(0, call.Index);
                id ??= call.ToolCallId;
                name ??= call.FunctionName;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Let me look that up.", text.ToString());
        Assert.Equal("toolu_fake_1", id);
        Assert.Equal("get_weather", name);
        Assert.Equal("""{"city":"Paris"}""", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Images_go_up_as_base64_and_url_image_blocks()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is in these?"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"),
            ChatMessageContentPart.CreateImagePart(new Uri("https://example.com/cat.jpg")));

        await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([message], cancellationToken: Cancellation);

        var content = Assert.Single(_upstream.Requests).Json!["messages"]![0]!["content"]!.AsArray();
        Assert.Equal($$$"""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}}""", content[1]!.ToJsonString());
        Assert.Equal("""{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}""", content[2]!.ToJsonString());
    }

    [Fact]
    public async Task Cached_input_tokens_are_counted_in_prompt_tokens_and_named_as_cached()
    {
        _upstream.Enqueue(FakeAnthropicReply.Answer("cached", cacheRead: 100, cacheCreation: 20));

        var result = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Cancellation);

        Assert.Equal(FakeAnthropicReply.InputTokens + 120, result.Value.Usage.InputTokenCount);
        Assert.Equal(100, result.Value.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task OAuth_token_goes_as_a_bearer_token_with_the_oauth_beta_flag()
    {
        var result = await GatewayClients.Chat(_gateway, "claude-oauth").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Cancellation);

        Assert.Equal("Hello from the fake Anthropic upstream", result.Value.Content[0].Text);
        var request = Assert.Single(_oauthUpstream.Requests);
        Assert.Equal("Bearer " + OAuthToken, request.Header("authorization"));
        Assert.Null(request.Header("x-api-key"));
        Assert.Equal(FakeAnthropicUpstream.OAuthBeta, request.Header("anthropic-beta"));
        Assert.DoesNotContain(OAuthToken, _gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_tokens_defaults_to_model_info_and_unsupported_parameters_are_dropped_when_configured()
    {
        using var dropped = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude-capped","seed":7,"presence_penalty":0.5,"top_k":5,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);
        using var refused = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude","seed":7,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, dropped.StatusCode);
        var sent = Assert.Single(_upstream.Requests).Json!;
        Assert.Equal(1000, sent["max_tokens"]!.GetValue<int>());
        Assert.Null(sent["seed"]);
        Assert.Null(sent["presence_penalty"]);
        Assert.Equal(5, sent["top_k"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal("seed", error.GetProperty("param").GetString());
        Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_format_with_a_schema_becomes_output_config_format()
    {
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("answer", BinaryData.FromString("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""")),
        };

        await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([new UserChatMessage("x")], options, Cancellation);

        var format = Assert.Single(_upstream.Requests).Json!["output_config"]!["format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.Equal("string", format["schema"]!["properties"]!["a"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(429, HttpStatusCode.TooManyRequests, "rate_limit_exceeded")]
    [InlineData(529, HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    [InlineData(500, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(401, HttpStatusCode.BadGateway, "upstream_rejected")]
    public async Task Upstream_failures_answer_in_OpenAIs_shape_with_the_right_status(int upstreamStatus, HttpStatusCode expected, string code)
    {
        _upstream.Enqueue(upstreamStatus switch
        {
            429 => FakeAnthropicReply.RateLimited(TimeSpan.FromSeconds(7)),
            529 => FakeAnthropicReply.Overloaded(),
            401 => FakeAnthropicReply.Error(401, "authentication_error", "invalid x-api-key"),
            _ => FakeAnthropicReply.Error(500, "api_error", "Internal server error"),
        });

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(expected, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        if (upstreamStatus == 429)
        {
            Assert.Equal("7", response.Headers.RetryAfter?.ToString());
        }
    }

    [Fact]
    public async Task A_request_Anthropic_refuses_comes_back_in_OpenAIs_error_shape_with_its_status_and_message()
    {
        _upstream.Enqueue(FakeAnthropicReply.Error(400, "invalid_request_error", "temperature: Input should be less than or equal to 1"));

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([new UserChatMessage("x")], new ChatCompletionOptions { Temperature = 1.5f }, Cancellation));

        Assert.Equal(400, error.Status);
        var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("temperature: Input should be less than or equal to 1", body.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Malformed_answer_and_hung_upstream_are_upstream_failures()
    {
        _upstream.Enqueue(FakeAnthropicReply.Malformed(), FakeAnthropicReply.Hang());

        using var malformed = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"x"}]}"""), Cancellation);
        var started = Stopwatch.GetTimestamp();
        using var hung = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, malformed.StatusCode);
        Assert.Contains("upstream_malformed", await malformed.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.GatewayTimeout, hung.StatusCode);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stream_overloaded_before_its_first_event_is_a_failed_attempt_and_one_broken_later_ends_with_an_error_chunk()
    {
        _upstream.Enqueue(FakeAnthropicReply.StreamOverloadedAtOnce(), FakeAnthropicReply.StreamBrokenOff("Partial"));

        using var atOnce = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);
        using var later = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, atOnce.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var events = await later.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("\"content\":\"Partial\"", events, StringComparison.Ordinal);
        Assert.Contains("data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"", events, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_and_text_completions_are_refused_clearly()
    {
        using var embeddings = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/embeddings", """{"model":"claude","input":"x"}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, embeddings.StatusCode);
        Assert.Contains("has no embeddings API", await embeddings.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        await _oauthUpstream.DisposeAsync();
        _data.Dispose();
    }
}
