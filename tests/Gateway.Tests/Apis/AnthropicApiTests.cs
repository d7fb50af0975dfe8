using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Apis;

/// <summary>
/// The gateway's Anthropic API (<c>/v1/messages</c>) through the official <c>@anthropic-ai/sdk</c>, unmodified: to an
/// <c>anthropic/</c> deployment (the caller's bytes pass through) and to OpenAI-compatible and mock deployments
/// (translated both ways); every failure in Anthropic's error shape.
/// </summary>
public sealed class AnthropicApiTests : IAsyncLifetime
{
    private const string AnthropicKey = "sk-ant-api03-upstream-secret-key-77";
    private readonly TemporaryDirectory _data = new();
    private FakeAnthropicUpstream _anthropic = null!;
    private FakeOpenAiUpstream _openAi = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _anthropic = await FakeAnthropicUpstream.StartAsync(AnthropicKey);
        _openAi = await FakeOpenAiUpstream.StartAsync();
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5-20250929
                  api_base: {_anthropic.ApiBase}
                  api_key: {AnthropicKey}
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {_openAi.ApiBase}
                  api_key: sk-openai-upstream
              - model_name: qwen
                litellm_params:
                  model: hosted_vllm/qwen2.5
                  api_base: {_openAi.ApiBase}
              - model_name: mock
                litellm_params:
                  model: mock/echo
            router_settings:
              num_retries: 0
            """);
    }

    private async Task<JsonElement> SdkAsync(string scenario, string model, string? authToken = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GATEWAY_URL"] = _gateway.BaseAddress.ToString().TrimEnd('/'),
            ["MODEL"] = model,
            ["SCENARIO"] = scenario,
        };
        environment[authToken is null ? "API_KEY" : "AUTH_TOKEN"] = authToken ?? GatewayHost.MasterKey;
        var output = await NpmTools.RunScriptAsync("anthropic-sdk.mjs", environment, TimeSpan.FromSeconds(60));
        var json = output.Split('\n').Last(line => line.StartsWith('{'));
        return JsonDocument.Parse(json).RootElement;
    }

    [Fact]
    public async Task SDK_message_to_an_anthropic_deployment_passes_through_with_only_model_and_key_changed()
    {
        var result = await SdkAsync("message", "claude");

        var message = result.GetProperty("message");
        Assert.Equal("Hello from the fake Anthropic upstream", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", message.GetProperty("stop_reason").GetString());
        Assert.Equal(FakeAnthropicReply.InputTokens, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var request = Assert.Single(_anthropic.Requests);
        Assert.Equal("/v1/messages", request.Path);
        Assert.Equal(AnthropicKey, request.Header("x-api-key"));
        Assert.NotEqual(GatewayHost.MasterKey, request.Header("x-api-key"));
        Assert.StartsWith("20", request.Header("anthropic-version"), StringComparison.Ordinal);
        Assert.Equal("claude-sonnet-4-5-20250929", request.Json!["model"]!.GetValue<string>());
        Assert.Equal("Be brief.", request.Json!["system"]!.GetValue<string>());
        Assert.Equal("sdk-user-1", request.Json!["metadata"]!["user_id"]!.GetValue<string>());
        await _gateway.Logs.LineContainingAsync($"served by claude (anthropic) with 200 after 1 attempt(s): {FakeAnthropicReply.InputTokens} prompt + {FakeAnthropicReply.OutputTokens} completion tokens");
    }

    [Fact]
    public async Task Passthrough_sends_the_callers_bytes_and_returns_the_upstreams_stream_unchanged()
    {
        const string body = """{ "model" : "claude", "max_tokens": 20, "stream": true, "messages": [ {"role":"user","content":"exact bytes"} ] }""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", GatewayHost.MasterKey);
        request.Headers.Add("anthropic-beta", "prompt-caching-2024-07-31");
        request.Headers.Add("anthropic-version", "2026-10-21");

        using var response = await _gateway.Client.SendAsync(request, Cancellation);
        var events = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(_anthropic.Requests);
        Assert.Equal(body.Replace("\"claude\"", "\"claude-sonnet-4-5-20250929\"", StringComparison.Ordinal), sent.Body);
        Assert.Equal("prompt-caching-2024-07-31", sent.Header("anthropic-beta"));
        Assert.Equal("2026-10-21", sent.Header("anthropic-version"));
        Assert.StartsWith("event: message_start\ndata: {\"type\":\"message_start\"", events, StringComparison.Ordinal);
        Assert.Contains("event: ping\ndata: {\"type\":\"ping\"}\n\n", events, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", events, StringComparison.Ordinal);
        await _gateway.Logs.LineContainingAsync($"served by claude (anthropic) with 200 after 1 attempt(s): {FakeAnthropicReply.InputTokens} prompt + {FakeAnthropicReply.OutputTokens} completion tokens");
    }

    [Fact]
    public async Task SDK_stream_and_tools_to_an_anthropic_deployment()
    {
        var stream = await SdkAsync("stream", "claude");
        _anthropic.Enqueue(FakeAnthropicReply.ToolUse("get_weather", """{"city":"Paris"}"""), FakeAnthropicReply.Answer("It is 18 C and sunny in Paris."));
        var tools = await SdkAsync("tools", "claude");
        _anthropic.Enqueue(FakeAnthropicReply.ToolUse("get_weather", """{"city":"Paris"}"""));
        var toolStream = await SdkAsync("tools-stream", "claude");

        Assert.Equal("Hello from the fake Anthropic upstream", stream.GetProperty("text").GetString());
        Assert.Equal("message_start", stream.GetProperty("events")[0].GetString());
        Assert.Equal(FakeAnthropicReply.OutputTokens, stream.GetProperty("message").GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var call = tools.GetProperty("first").GetProperty("content")[1];
        Assert.Equal("tool_use", call.GetProperty("type").GetString());
        Assert.Equal("Paris", call.GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("It is 18 C and sunny in Paris.", tools.GetProperty("second").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("tool_result", _anthropic.Requests[^2].Json!["messages"]![2]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("""{"city":"Paris"}""", toolStream.GetProperty("json").GetString());
        Assert.Equal("tool_use", toolStream.GetProperty("message").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task SDK_message_stream_and_tools_to_an_OpenAI_compatible_deployment_are_translated()
    {
        var message = await SdkAsync("message", "gpt");
        var stream = await SdkAsync("stream", "qwen");
        _openAi.Enqueue(FakeReply.ToolCall("get_weather", """{"city":"Paris"}"""), FakeReply.Answer("It is 18 C and sunny in Paris."));
        var tools = await SdkAsync("tools", "gpt");

        var answer = message.GetProperty("message");
        Assert.Equal("Hello from the fake upstream", answer.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", answer.GetProperty("stop_reason").GetString());
        Assert.Equal(FakeReply.PromptTokens, answer.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var first = _openAi.Requests[0];
        Assert.Equal("/v1/chat/completions", first.Path);
        Assert.Equal("Bearer sk-openai-upstream", first.Header("Authorization"));
        Assert.Equal("gpt-4o-mini", first.Json!["model"]!.GetValue<string>());
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]""", first.Json!["messages"]!.ToJsonString());
        Assert.Equal(100, first.Json!["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("sdk-user-1", first.Json!["user"]!.GetValue<string>());

        Assert.Equal("Hello from the fake upstream", stream.GetProperty("text").GetString());
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            stream.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal(FakeReply.CompletionTokens, stream.GetProperty("message").GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var streamed = _openAi.Requests[1].Json!;
        Assert.True(streamed["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal(100, streamed["max_tokens"]!.GetValue<int>());

        var call = tools.GetProperty("first").GetProperty("content")[0];
        Assert.Equal("tool_use", call.GetProperty("type").GetString());
        Assert.Equal("call_fake_1", call.GetProperty("id").GetString());
        Assert.Equal("Paris", call.GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", tools.GetProperty("first").GetProperty("stop_reason").GetString());
        var toolsRequest = _openAi.Requests[2].Json!;
        Assert.Equal("""[{"type":"function","function":{"name":"get_weather","description":"The weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""", toolsRequest["tools"]!.ToJsonString());
        Assert.Equal("required", toolsRequest["tool_choice"]!.GetValue<string>());
        var followUp = _openAi.Requests[3].Json!["messages"]!.AsArray();
        Assert.Equal("""{"role":"tool","tool_call_id":"call_fake_1","content":"18 C and sunny"}""", followUp[^1]!.ToJsonString());
        Assert.Equal("get_weather", followUp[^2]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("It is 18 C and sunny in Paris.", tools.GetProperty("second").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task SDK_message_and_stream_to_a_mock_deployment_are_translated()
    {
        var message = await SdkAsync("message", "mock");
        var stream = await SdkAsync("stream", "mock");

        Assert.Equal("Hello", message.GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("Hello", stream.GetProperty("text").GetString());
        Assert.Equal("end_turn", stream.GetProperty("message").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task SDK_counts_tokens_through_an_anthropic_deployment_and_authenticates_with_a_bearer_token()
    {
        var result = await SdkAsync("count", "claude", authToken: GatewayHost.MasterKey);

        Assert.True(result.GetProperty("count").GetProperty("input_tokens").GetInt32() > 0);
        var request = Assert.Single(_anthropic.Requests);
        Assert.Equal("/v1/messages/count_tokens", request.Path);
        Assert.Equal(AnthropicKey, request.Header("x-api-key"));
    }

    [Theory]
    [InlineData("nope", 404, "not_found_error")]
    public async Task SDK_sees_gateway_errors_in_Anthropics_shape(string model, int status, string type)
    {
        var result = await SdkAsync("error", model);

        var error = result.GetProperty("error");
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal("NotFoundError", error.GetProperty("name").GetString());
        Assert.Equal("error", error.GetProperty("body").GetProperty("type").GetString());
        Assert.Equal(type, error.GetProperty("body").GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(null, """{"model":"claude","max_tokens":5,"messages":[]}""", 401, "authentication_error")]
    [InlineData("sk-wrong-key", """{"model":"claude","max_tokens":5,"messages":[]}""", 401, "authentication_error")]
    [InlineData(GatewayHost.MasterKey, """{"model":"claude","max_tokens":5,"messages":[""", 400, "invalid_request_error")]
    [InlineData(GatewayHost.MasterKey, """{"model":"claude","messages":[{"role":"user","content":"x"}]}""", 400, "invalid_request_error")]
    [InlineData(GatewayHost.MasterKey, """{"model":"claude","max_tokens":5}""", 400, "invalid_request_error")]
    [InlineData(GatewayHost.MasterKey, """{"model":"unknown","max_tokens":5,"messages":[]}""", 404, "not_found_error")]
    [InlineData(GatewayHost.MasterKey, """{"model":"gpt","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"file","file_id":"f"}}]}]}""", 400, "invalid_request_error")]
    public async Task Every_refusal_is_in_Anthropics_error_shape(string? key, string body, int status, string type)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        using var response = await _gateway.Client.SendAsync(request, Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal(type, json.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetProperty("message").GetString()));
        Assert.Empty(_anthropic.Requests);
    }

    [Theory]
    [InlineData("claude", 529, 503, "overloaded_error")]
    [InlineData("claude", 429, 429, "rate_limit_error")]
    [InlineData("gpt", 500, 502, "api_error")]
    public async Task Upstream_failures_are_in_Anthropics_error_shape(string model, int upstreamStatus, int status, string type)
    {
        if (model == "claude")
        {
            _anthropic.Enqueue(upstreamStatus == 429 ? FakeAnthropicReply.RateLimited(TimeSpan.FromSeconds(3)) : FakeAnthropicReply.Overloaded());
        }
        else
        {
            _openAi.Enqueue(FakeReply.Status(upstreamStatus));
        }

        using var response = await _gateway.Client.SendAsync(Post($$"""{"model":"{{model}}","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement;
        Assert.Equal(type, json.GetProperty("error").GetProperty("type").GetString());
        if (upstreamStatus == 429)
        {
            Assert.Equal("3", response.Headers.RetryAfter?.ToString());
        }
    }

    [Fact]
    public async Task A_refusal_from_Anthropic_passes_through_as_written_and_one_from_an_OpenAI_deployment_is_reshaped()
    {
        _anthropic.Enqueue(FakeAnthropicReply.Error(400, "invalid_request_error", "messages.0.content: Input should be a valid list"));
        _openAi.Enqueue(FakeReply.Status(400, body: """{"error":{"message":"Invalid 'messages[0]'","type":"invalid_request_error","param":"messages","code":null}}"""));

        using var anthropic = await _gateway.Client.SendAsync(Post("""{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);
        using var openAi = await _gateway.Client.SendAsync(Post("""{"model":"gpt","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, anthropic.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"invalid_request_error","message":"messages.0.content: Input should be a valid list"},"request_id":"req_fake_1"}""",
            await anthropic.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(HttpStatusCode.BadRequest, openAi.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"invalid_request_error","message":"Invalid 'messages[0]'"}}""", await openAi.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Streams_are_not_buffered_whether_passed_through_or_translated()
    {
        var anthropicGate = new TaskCompletionSource();
        var anthropicTimings = new StreamTimings();
        _anthropic.Enqueue(FakeAnthropicReply.GatedStream("First", " and the rest", anthropicGate.Task, anthropicTimings));
        var openAiGate = new TaskCompletionSource();
        var openAiTimings = new StreamTimings();
        _openAi.Enqueue(FakeReply.GatedStream("First", "and the rest", openAiGate.Task, openAiTimings));

        var passedThrough = await FirstTextDeltaAtAsync("claude", anthropicGate);
        var translated = await FirstTextDeltaAtAsync("gpt", openAiGate);

        Assert.True(passedThrough < anthropicTimings.LastChunkSentAt, "The first delta reached the client only after the Anthropic upstream had sent everything.");
        Assert.True(translated < openAiTimings.LastChunkSentAt, "The first translated delta reached the client only after the OpenAI upstream had sent everything.");
    }

    /// <summary>Reads an Anthropic stream line by line; when the first text delta arrives, opens the upstream's gate.</summary>
    private async Task<long> FirstTextDeltaAtAsync(string model, TaskCompletionSource gate)
    {
        using var response = await _gateway.Client.SendAsync(
            Post($$"""{"model":"{{model}}","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"x"}]}"""), HttpCompletionOption.ResponseHeadersRead, Cancellation);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation));
        var firstAt = 0L;
        var text = new StringBuilder();
        while (await reader.ReadLineAsync(Cancellation) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"text_delta\"", StringComparison.Ordinal))
            {
                if (firstAt == 0)
                {
                    firstAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    gate.SetResult();
                }

                text.Append(JsonDocument.Parse(line[6..]).RootElement.GetProperty("delta").GetProperty("text").GetString());
            }
        }

        Assert.Equal("First and the rest", text.ToString());
        return firstAt;
    }

    private static HttpRequestMessage Post(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.MasterKey);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _openAi.DisposeAsync();
        _data.Dispose();
    }
}
