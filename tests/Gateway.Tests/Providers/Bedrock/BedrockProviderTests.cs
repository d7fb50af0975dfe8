using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>
/// <c>bedrock/</c> deployments end to end: the official OpenAI SDK calls the gateway, the gateway calls a fake
/// Bedrock Runtime over real HTTP that verifies each request's SigV4 signature and answers in Converse JSON or
/// real AWS event-stream framing.
/// </summary>
public sealed class BedrockProviderTests : IAsyncLifetime
{
    private const string Claude = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
    private readonly TemporaryDirectory _data = new();
    private FakeBedrockUpstream _bedrock = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bedrock = await FakeBedrockUpstream.StartAsync("us-east-1");
        _bedrock.ApiKey = "bedrock-api-key-for-tests";
        var signed = $"""
                  aws_region_name: us-east-1
                  api_base: {_bedrock.BaseAddress}
                  aws_access_key_id: os.environ/TEST_AWS_KEY_ID
                  aws_secret_access_key: os.environ/TEST_AWS_SECRET
            """;
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: bedrock/{Claude}
            {signed}
              - model_name: claude-converse
                litellm_params:
                  model: bedrock/converse/anthropic.claude-3-5-sonnet-20240620-v1:0
            {signed}
              - model_name: claude-slow
                litellm_params:
                  model: bedrock/{Claude}
                  timeout: 1
                  stream_timeout: 1
            {signed}
              - model_name: titan-embed
                litellm_params:
                  model: bedrock/amazon.titan-embed-text-v2:0
            {signed}
              - model_name: cohere-embed
                litellm_params:
                  model: bedrock/cohere.embed-english-v3
            {signed}
              - model_name: claude-wrong-secret
                litellm_params:
                  model: bedrock/{Claude}
                  aws_region_name: us-east-1
                  api_base: {_bedrock.BaseAddress}
                  aws_access_key_id: {FakeBedrockUpstream.AccessKeyId}
                  aws_secret_access_key: not-the-secret
              - model_name: claude-api-key
                litellm_params:
                  model: bedrock/{Claude}
                  aws_region_name: us-east-1
                  aws_bedrock_runtime_endpoint: {_bedrock.BaseAddress}
                  api_key: os.environ/TEST_BEDROCK_API_KEY
            router_settings:
              num_retries: 1
              disable_cooldowns: true
            """, new Dictionary<string, string?>
        {
            ["TEST_AWS_KEY_ID"] = FakeBedrockUpstream.AccessKeyId,
            ["TEST_AWS_SECRET"] = FakeBedrockUpstream.SecretKey,
            ["TEST_BEDROCK_API_KEY"] = _bedrock.ApiKey,
        });
    }

    [Fact]
    public async Task Chat_through_the_SDK_reaches_Converse_signed_and_answers_with_usage()
    {
        var result = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Hi there")], new ChatCompletionOptions { MaxOutputTokenCount = 100, Temperature = 0.5f }, Cancellation);

        Assert.Equal("Hello from fake Bedrock", result.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.Equal(FakeBedrockReply.InputTokens, result.Value.Usage.InputTokenCount);
        Assert.Equal(FakeBedrockReply.OutputTokens, result.Value.Usage.OutputTokenCount);
        Assert.Equal("bedrock", result.Header(GatewayCallHeaders.Provider));
        Assert.Equal("claude", result.Header(GatewayCallHeaders.Deployment));

        var request = Assert.Single(_bedrock.Requests);
        Assert.Equal(0, _bedrock.RejectedSignatures);
        Assert.Equal("converse", request.Action);
        Assert.Equal(Claude, request.ModelId);
        Assert.Equal("/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse", request.RawPath);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={FakeBedrockUpstream.AccessKeyId}/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("""[{"text":"Be brief."}]""", request.Json!["system"]!.ToJsonString());
        Assert.Equal(100, request.Json!["inferenceConfig"]!["maxTokens"]!.GetValue<int>());
        Assert.Null(request.Header("x-api-key"));
    }

    [Fact]
    public async Task The_converse_route_prefix_is_stripped_from_the_model_id()
    {
        await GatewayClients.Chat(_gateway, "claude-converse").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation);

        Assert.Equal("anthropic.claude-3-5-sonnet-20240620-v1:0", Assert.Single(_bedrock.Requests).ModelId);
    }

    [Fact]
    public async Task Streamed_chat_arrives_whole_with_usage_even_when_frames_are_split_across_reads()
    {
        _bedrock.SplitFrames = true;
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in GatewayClients.Chat(_gateway, "claude").CompleteChatStreamingAsync([new UserChatMessage("Stream please")], cancellationToken: Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello from fake Bedrock", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(FakeBedrockReply.InputTokens + FakeBedrockReply.OutputTokens, usage?.TotalTokenCount);
        Assert.Equal("converse-stream", Assert.Single(_bedrock.Requests).Action);
        await _gateway.Logs.LineContainingAsync($"served by claude (bedrock) with 200 after 1 attempt(s): {FakeBedrockReply.InputTokens} prompt + {FakeBedrockReply.OutputTokens} completion tokens");
    }

    [Fact]
    public async Task The_stream_is_not_buffered_the_first_chunk_arrives_before_Bedrock_sends_its_last_event()
    {
        var clientReadFirst = new TaskCompletionSource();
        var timings = new StreamTimings();
        _bedrock.Enqueue(FakeBedrockReply.GatedStream("First", "and the rest of it", clientReadFirst.Task, timings));

        var firstChunkReceivedAt = 0L;
        var text = new System.Text.StringBuilder();
        await foreach (var update in GatewayClients.Chat(_gateway, "claude").CompleteChatStreamingAsync([new UserChatMessage("Go")], cancellationToken: Cancellation))
        {
            foreach (var part in update.ContentUpdate.Where(p => p.Text.Length > 0))
            {
                if (firstChunkReceivedAt == 0)
                {
                    firstChunkReceivedAt = Stopwatch.GetTimestamp();
                    clientReadFirst.SetResult();
                }

                text.Append(part.Text);
            }
        }

        Assert.Equal("First and the rest of it", text.ToString());
        Assert.True(firstChunkReceivedAt < timings.LastChunkSentAt, "The client got its first chunk only after Bedrock had sent everything: the gateway buffered the stream.");
    }

    [Fact]
    public async Task Tool_calls_round_trip_through_the_SDK()
    {
        var weather = ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { weather }, ToolChoice = ChatToolChoice.CreateAutoChoice() };
        _bedrock.Enqueue(FakeBedrockReply.ToolUse("get_weather", """{"city":"Paris"}"""));
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        var first = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(messages, options, Cancellation);

        Assert.Equal(ChatFinishReason.ToolCalls, first.Value.FinishReason);
        var call = Assert.Single(first.Value.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonNode.Parse(call.FunctionArguments.ToString())!["city"]!.GetValue<string>());

        messages.Add(new AssistantChatMessage(first.Value));
        messages.Add(new ToolChatMessage(call.Id, "18 degrees and sunny"));
        var second = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(messages, options, Cancellation);

        Assert.Equal("Hello from fake Bedrock", second.Value.Content[0].Text);
        var followUp = _bedrock.Requests[^1].Json!;
        Assert.Equal("""{"auto":{}}""", followUp["toolConfig"]!["toolChoice"]!.ToJsonString());
        Assert.Equal(call.Id, followUp["messages"]![1]!["content"]![0]!["toolUse"]!["toolUseId"]!.GetValue<string>());
        Assert.Equal("""{"toolUseId":"tooluse_fake_1","content":[{"text":"18 degrees and sunny"}]}""", followUp["messages"]![2]!["content"]![0]!["toolResult"]!.ToJsonString());
    }

    [Fact]
    public async Task Streamed_tool_calls_arrive_as_OpenAI_tool_call_deltas()
    {
        var weather = ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        _bedrock.Enqueue(FakeBedrockReply.ToolUse("get_weather", """{"city":"Rome"}""", text: "Let me look."));
        var arguments = new System.Text.StringBuilder();
        var text = new System.Text.StringBuilder();
        string? name = null, id = null;
        ChatFinishReason? finish = null;
        await foreach (var update in GatewayClients.Chat(_gateway, "claude").CompleteChatStreamingAsync([new UserChatMessage("Weather in Rome?")], new ChatCompletionOptions { Tools = { weather } }, Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            foreach (var toolUpdate in update.ToolCallUpdates)
            {
                name ??= toolUpdate.FunctionName;
                id ??= toolUpdate.ToolCallId;
                arguments.Append(toolUpdate.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Let me look.", text.ToString());
        Assert.Equal("get_weather", name);
        Assert.Equal("tooluse_fake_1", id);
        Assert.Equal("""{"city":"Rome"}""", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Images_in_content_parts_reach_Bedrock_as_image_blocks()
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

        await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is this?"), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"))],
            cancellationToken: Cancellation);

        var image = _bedrock.Requests[^1].Json!["messages"]![0]!["content"]![1]!["image"]!;
        Assert.Equal("png", image["format"]!.GetValue<string>());
        Assert.Equal(png, Convert.FromBase64String(image["source"]!["bytes"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Titan_and_Cohere_embeddings_through_the_SDK()
    {
        var titan = await GatewayClients.Embeddings(_gateway, "titan-embed").GenerateEmbeddingsAsync(["first text", "second one here"], cancellationToken: Cancellation);
        var cohere = await GatewayClients.Embeddings(_gateway, "cohere-embed").GenerateEmbeddingsAsync(["a", "b", "c"], cancellationToken: Cancellation);

        Assert.Equal(2, titan.Value.Count);
        Assert.Equal(FakeBedrockReply.Vector, titan.Value[1].ToFloats().ToArray());
        Assert.Equal(5, titan.Value.Usage.InputTokenCount);
        Assert.Equal(3, cohere.Value.Count);
        Assert.Equal(9, cohere.Value.Usage.InputTokenCount);
        var invocations = _bedrock.Requests;
        Assert.Equal(3, invocations.Count);
        Assert.All(invocations, r => Assert.Equal("invoke", r.Action));
        Assert.Equal("second one here", invocations[1].Json!["inputText"]!.GetValue<string>());
        Assert.Equal("""["a","b","c"]""", invocations[2].Json!["texts"]!.ToJsonString());
    }

    [Fact]
    public async Task A_Bedrock_API_key_is_sent_as_a_bearer_token_instead_of_a_signature()
    {
        var result = await GatewayClients.Chat(_gateway, "claude-api-key").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation);

        Assert.Equal("Hello from fake Bedrock", result.Value.Content[0].Text);
        Assert.Equal("Bearer " + _bedrock.ApiKey, Assert.Single(_bedrock.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_wrong_secret_fails_the_signature_check_and_the_caller_gets_a_502_without_the_secret()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude-wrong-secret","messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("upstream_rejected", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", body, StringComparison.Ordinal);
        Assert.True(_bedrock.RejectedSignatures >= 1);
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.Contains("not-the-secret", StringComparison.Ordinal) || line.Contains(FakeBedrockUpstream.SecretKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_becomes_429_with_Retry_After_after_the_retry()
    {
        _bedrock.Enqueue(FakeBedrockReply.Throttled(TimeSpan.FromSeconds(1)), FakeBedrockReply.Throttled(TimeSpan.FromSeconds(1)));

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("2", response.Header(GatewayCallHeaders.Attempts));
    }

    [Fact]
    public async Task A_server_error_is_retried_and_the_second_attempt_answers()
    {
        _bedrock.Enqueue(FakeBedrockReply.Error(500, "InternalServerException", "Internal server error"));

        var result = await GatewayClients.Chat(_gateway, "claude").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation);

        Assert.Equal("Hello from fake Bedrock", result.Value.Content[0].Text);
        Assert.Equal("2", result.Header(GatewayCallHeaders.Attempts));
    }

    [Theory]
    [InlineData(400, "ValidationException", "The model returned the following errors: messages: text content blocks must be non-empty", HttpStatusCode.BadRequest, "ValidationException")]
    [InlineData(400, "ValidationException", "Input is too long for requested model.", HttpStatusCode.BadRequest, "context_length_exceeded")]
    [InlineData(429, "ModelNotReadyException", "Model is not ready to serve inference requests.", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    [InlineData(503, "ServiceUnavailableException", "Bedrock is unable to process your request.", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    [InlineData(403, "AccessDeniedException", "You don't have access to the model with the specified model ID.", HttpStatusCode.BadGateway, "upstream_rejected")]
    [InlineData(404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier.", HttpStatusCode.BadGateway, "upstream_rejected")]
    public async Task Bedrock_errors_map_to_OpenAI_errors(int status, string type, string message, HttpStatusCode expected, string code)
    {
        _bedrock.Responder = _ => FakeBedrockReply.Error(status, type, message);

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(expected, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        if (status == 400)
        {
            Assert.Contains(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Single(_bedrock.Requests);
        }
    }

    [Fact]
    public async Task A_throttling_exception_as_the_first_stream_event_is_retried_before_anything_reaches_the_caller()
    {
        _bedrock.Enqueue(FakeBedrockReply.StreamException("throttlingException", "Too many tokens, please wait before trying again."));
        var text = new System.Text.StringBuilder();

        await foreach (var update in GatewayClients.Chat(_gateway, "claude").CompleteChatStreamingAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal("Hello from fake Bedrock", text.ToString());
        Assert.Equal(2, _bedrock.Requests.Count);
    }

    [Fact]
    public async Task An_exception_in_the_middle_of_a_stream_is_sent_as_an_error_event_and_the_stream_ends_without_DONE()
    {
        _bedrock.Enqueue(FakeBedrockReply.StreamException("modelStreamErrorException", "The model stopped unexpectedly.", textBefore: "Partial answer"));
        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Cancellation);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation));
        var events = new List<string>();

        while (await reader.ReadLineAsync(Cancellation) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line);
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(events, e => e.Contains("\"content\":\"Partial\"", StringComparison.Ordinal));
        var error = JsonNode.Parse(events[^1]["data: ".Length..])!["error"]!;
        Assert.Equal("ModelStreamErrorException", error["code"]!.GetValue<string>());
        Assert.Contains("The model stopped unexpectedly.", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e == "data: [DONE]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_malformed_answer_or_a_corrupt_frame_is_a_502_after_the_retry(bool stream)
    {
        _bedrock.Responder = _ => FakeBedrockReply.Malformed();

        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", $$"""{"model":"claude","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("upstream_malformed", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal(2, _bedrock.Requests.Count);
    }

    [Fact]
    public async Task A_hung_Bedrock_is_abandoned_at_the_deployment_timeout_with_a_504()
    {
        _bedrock.Responder = _ => FakeBedrockReply.Hang();
        var started = Stopwatch.GetTimestamp();

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"claude-slow","messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_request_Converse_cannot_express_gets_a_400_in_OpenAI_shape_without_calling_Bedrock()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions",
            """{"model":"claude","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data URL", JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(_bedrock.Requests);
    }

    [Fact]
    public async Task Chat_on_an_embedding_model_is_refused_with_a_400()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => GatewayClients.Chat(_gateway, "titan-embed").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation));

        Assert.Equal(400, error.Status);
        Assert.Empty(_bedrock.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _bedrock.DisposeAsync();
        _data.Dispose();
    }
}
