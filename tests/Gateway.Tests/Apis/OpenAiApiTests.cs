using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenAI.Chat;

namespace Gateway.Tests.Apis;

public sealed class OpenAiApiTests : IAsyncLifetime
{
    private const string UpstreamKey = "sk-upstream-secret-key-42";
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _upstream = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeOpenAiUpstream.StartAsync();
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $"""
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: openai/gpt-4o-2024-08-06
                  api_base: {_upstream.ApiBase}
                  api_key: {UpstreamKey}
              - model_name: text-embedding-3-small
                litellm_params:
                  model: openai/text-embedding-3-small
                  api_base: {_upstream.ApiBase}
                  api_key: {UpstreamKey}
            router_settings:
              num_retries: 0
            """, new Dictionary<string, string?> { ["Gateway:MaxRequestBodyBytes"] = "65536" });
    }

    [Fact]
    public async Task Chat_completion_through_the_SDK_reaches_the_upstream_with_its_model_name_and_key()
    {
        var result = await GatewayClients.Chat(_gateway, "gpt-4o").CompleteChatAsync([new UserChatMessage("Hi there")], cancellationToken: Cancellation);

        Assert.Equal("Hello from the fake upstream", result.Value.Content[0].Text);
        Assert.Equal(FakeReply.PromptTokens, result.Value.Usage.InputTokenCount);
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {UpstreamKey}", request.Header("Authorization"));
        Assert.Equal("gpt-4o-2024-08-06", request.Json!["model"]!.GetValue<string>());
        Assert.Equal("Hi there", request.Json!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("openai", result.Header(GatewayCallHeaders.Provider));
        Assert.Equal("gpt-4o", result.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("1", result.Header(GatewayCallHeaders.Attempts));
        Assert.InRange(double.Parse(result.Header(GatewayCallHeaders.Overhead), CultureInfo.InvariantCulture), 0, 1000);
    }

    [Fact]
    public async Task Request_bytes_reach_the_upstream_unchanged_but_for_the_model_name()
    {
        const string Body = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"caf\\u00e9 \u2615\"}],\n  \"model\":\"gpt-4o\", \"x_vendor\": {\"nested\": [1, 2.50, null]}, \"temperature\":0.10 }";

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", Body), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body.Replace("\"model\":\"gpt-4o\"", "\"model\":\"gpt-4o-2024-08-06\"", StringComparison.Ordinal), Assert.Single(_upstream.Requests).Body);
    }

    [Fact]
    public async Task Upstream_answer_bytes_reach_the_caller_unchanged()
    {
        const string Answer = "{\"id\":\"x\",  \"object\":\"chat.completion\",\"choices\":[],\"vendor_field\":{\"kept\":true}}";
        _upstream.Enqueue(new FakeReply(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Answer);
        }));

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[]}"""), Cancellation);

        Assert.Equal(Answer, await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Streamed_chat_through_the_SDK_arrives_whole_and_names_the_deployment()
    {
        var updates = GatewayClients.Chat(_gateway, "gpt-4o").CompleteChatStreamingAsync([new UserChatMessage("Stream please")], cancellationToken: Cancellation);
        var text = new System.Text.StringBuilder();
        await foreach (var update in updates)
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello from the fake upstream", text.ToString());
        Assert.True(Assert.Single(_upstream.Requests).WantsStream);
    }

    [Fact]
    public async Task Streams_are_not_buffered_the_first_chunk_arrives_before_the_upstream_sends_its_last()
    {
        var clientReadFirst = new TaskCompletionSource();
        var timings = new StreamTimings();
        _upstream.Enqueue(FakeReply.GatedStream("First", "and the rest of it", clientReadFirst.Task, timings));

        var (text, firstChunkReceivedAt) = await GatewayClients.StreamChatAsync(GatewayClients.Chat(_gateway, "gpt-4o"), "Go", clientReadFirst.SetResult, Cancellation);

        Assert.Equal("First and the rest of it", text);
        Assert.True(timings.FirstChunkSentAt > 0 && timings.LastChunkSentAt > 0);
        Assert.True(firstChunkReceivedAt < timings.LastChunkSentAt, "The client got its first chunk only after the upstream had sent everything: the gateway buffered the stream.");
    }

    [Fact]
    public async Task Each_stream_chunk_reaches_the_client_within_a_small_fraction_of_the_upstreams_own_gap_between_chunks()
    {
        // The upstream's pace is the yardstick: a chunk must arrive long before the upstream sends the next one.
        var gap = TimeSpan.FromMilliseconds(800);
        var timings = new StreamTimings();
        _upstream.Enqueue(FakeReply.TimedStream("one two three four five", gap, timings));

        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"count"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Cancellation);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation));
        var received = new List<long>();
        while (await reader.ReadLineAsync(Cancellation) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\"", StringComparison.Ordinal))
            {
                received.Add(Stopwatch.GetTimestamp());
            }
        }

        var sent = timings.ChunkSentAt;
        Assert.Equal(5, sent.Count);
        Assert.Equal(5, received.Count);
        for (var i = 0; i < sent.Count - 1; i++)
        {
            Assert.True(received[i] < sent[i + 1], $"Chunk {i} reached the client only after the upstream sent chunk {i + 1}: the gateway held it back.");
        }

        var lags = sent.Zip(received, (at, got) => Stopwatch.GetElapsedTime(at, got) / gap).Order().ToList();
        Assert.True(lags[0] >= 0 || lags[0] > -0.01, "A chunk arrived before it was sent.");
        Assert.True(Stopwatch.GetElapsedTime(sent[0], received[0]) / gap < 0.25,
            $"The first chunk took {Stopwatch.GetElapsedTime(sent[0], received[0]).TotalMilliseconds:0.0} ms through the gateway, over a quarter of the upstream's {gap.TotalMilliseconds} ms gap.");
        Assert.True(lags[2] < 0.25, $"The median chunk took {lags[2]:P0} of the upstream's gap to get through the gateway.");
    }

    [Fact]
    public async Task Usage_read_from_a_passing_stream_is_in_the_call_log_line_and_the_stream_names_its_deployment()
    {
        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Cancellation);
        var events = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("gpt-4o", response.Header(GatewayCallHeaders.Deployment));
        await _gateway.Logs.LineContainingAsync("ChatCompletions gpt-4o served by gpt-4o (openai) with 200 after 1 attempt(s): 11 prompt + 7 completion tokens");
    }

    [Fact]
    public async Task Tool_calls_round_trip_through_the_SDK()
    {
        _upstream.Enqueue(FakeReply.ToolCall("get_weather", """{"city":"Paris"}"""), FakeReply.Answer("It is sunny in Paris"));
        var client = GatewayClients.Chat(_gateway, "gpt-4o");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, Cancellation)).Value;
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny"));
        var second = (await client.CompleteChatAsync(messages, options, Cancellation)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal(("get_weather", """{"city":"Paris"}"""), (call.FunctionName, call.FunctionArguments.ToString()));
        Assert.Equal("It is sunny in Paris", second.Content[0].Text);
        var upstreamSecond = _upstream.Requests[1].Json!;
        Assert.Equal("get_weather", _upstream.Requests[0].Json!["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("call_fake_1", upstreamSecond["messages"]![2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("call_fake_1", upstreamSecond["messages"]![1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Embeddings_through_the_SDK()
    {
        var embedding = (await GatewayClients.Embeddings(_gateway, "text-embedding-3-small").GenerateEmbeddingAsync("hello", cancellationToken: Cancellation)).Value;

        Assert.Equal([0.25f, -0.5f, 0.75f], embedding.ToFloats().ToArray());
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("hello", request.Json!["input"] is { } input && input.GetValueKind() == JsonValueKind.Array ? input[0]!.GetValue<string>() : request.Json!["input"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_are_listed_and_retrieved_through_the_SDK()
    {
        var models = (await GatewayClients.Models(_gateway).GetModelsAsync(Cancellation)).Value;
        var one = (await GatewayClients.Models(_gateway).GetModelAsync("gpt-4o", Cancellation)).Value;

        Assert.Equal(["gpt-4o", "text-embedding-3-small"], models.Select(m => m.Id).ToArray());
        Assert.Equal("openai", one.OwnedBy);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => GatewayClients.Models(_gateway).GetModelAsync("gpt-5", Cancellation));
        Assert.Equal(404, missing.Status);
    }

    [Theory]
    [InlineData("/chat/completions")]
    [InlineData("/openai/v1/chat/completions")]
    [InlineData("/v1/chat/completions")]
    public async Task Chat_is_served_under_every_LiteLLM_path(string path)
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post(path, """{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", Assert.Single(_upstream.Requests).Path);
    }

    [Fact]
    public async Task Legacy_completions_are_forwarded()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/completions", """{"model":"gpt-4o","prompt":"Say hi"}"""), Cancellation);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));

        Assert.Equal("text_completion", body.RootElement.GetProperty("object").GetString());
        Assert.Equal("/v1/completions", Assert.Single(_upstream.Requests).Path);
    }

    [Fact]
    public async Task Unknown_model_is_404_in_OpenAIs_shape_and_reaches_no_upstream()
    {
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => GatewayClients.Chat(_gateway, "gpt-5").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Cancellation));
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-5","messages":[]}"""), Cancellation);

        Assert.Equal(404, failure.Status);
        await AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound, "invalid_request_error", "model_not_found", param: "model");
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("{\"model\": \"gpt-4o\", ", "is not valid JSON", null)]
    [InlineData("[1, 2]", "must be a JSON object", null)]
    [InlineData("", "is empty", null)]
    [InlineData("{\"model\": \"gpt-4o\"} trailing", "is not valid JSON", null)]
    [InlineData("{\"messages\": []}", "provide a model", "model")]
    [InlineData("{\"model\": 4}", "'model' must be a string", "model")]
    public async Task Bad_bodies_are_400_in_OpenAIs_shape(string body, string message, string? param)
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", body), Cancellation);

        var error = await AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", code: null, param);
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var big = $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{new string('x', 70_000)}}"}]}""";

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", big), Cancellation);

        await AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task An_upstream_refusal_of_the_request_reaches_the_caller_as_the_upstream_wrote_it()
    {
        const string Refusal = """{"error":{"message":"Invalid value for 'temperature'","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""";
        _upstream.Enqueue(FakeReply.Status(400, body: Refusal));

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","temperature":9}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Refusal, await response.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal("gpt-4o", response.Header(GatewayCallHeaders.Deployment));
    }

    [Fact]
    public async Task A_malformed_upstream_answer_is_a_502_not_garbage()
    {
        _upstream.Enqueue(FakeReply.Malformed());

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[]}"""), Cancellation);

        await AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_malformed");
    }

    [Fact]
    public async Task An_unreadable_chunked_body_is_a_400_in_OpenAIs_shape()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port, Cancellation);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {GatewayHost.MasterKey}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n"), Cancellation);
        using var reader = new StreamReader(stream);
        var answer = await reader.ReadToEndAsync(Cancellation);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"invalid_request_error\"", answer, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task A_redirect_from_the_upstream_is_not_followed_and_reported_as_a_rejection()
    {
        _upstream.Enqueue(new FakeReply((context, _) =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "http://elsewhere.invalid/v1/chat/completions";
            return Task.CompletedTask;
        }));

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[]}"""), Cancellation);

        await AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_rejected");
    }

    [Fact]
    public async Task Keys_never_reach_the_logs()
    {
        _upstream.Enqueue(FakeReply.Status(500), FakeReply.Status(401));
        await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o"}"""), Cancellation);
        await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o"}"""), Cancellation);
        await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o"}"""), Cancellation);
        await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o"}""", key: "sk-wrong-key-presented"), Cancellation);

        await _gateway.Logs.LineContainingAsync("failed with 502");
        Assert.DoesNotContain(UpstreamKey, _gateway.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHost.MasterKey, _gateway.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-key-presented", _gateway.Logs.All, StringComparison.Ordinal);
    }

    internal static async Task<JsonElement> AssertOpenAiErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? code, string? param = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        var error = body.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.DoesNotContain("   at ", body.RootElement.GetRawText(), StringComparison.Ordinal);
        return error.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
