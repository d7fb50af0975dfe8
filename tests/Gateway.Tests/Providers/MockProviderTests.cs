using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI.Chat;

namespace Gateway.Tests.Providers;

public sealed class MockProviderTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHost.StartWithConfigAsync(_data, """
        model_list:
          - model_name: echo
            litellm_params: {model: mock/echo}
          - model_name: fixed
            litellm_params: {model: mock/fixed, mock_response: "The answer is 42.", mock_chunk_delay_ms: 5}
          - model_name: limited
            litellm_params: {model: mock/limited, mock_error_status: 429, mock_retry_after: 3}
          - model_name: refusing
            litellm_params: {model: mock/refusing, mock_error_status: 400}
          - model_name: slow
            litellm_params: {model: mock/slow, mock_latency_ms: 60000, timeout: 0.5}
          - model_name: embed
            litellm_params: {model: mock/embed}
        router_settings:
          num_retries: 0
          fallbacks: [{"slow": ["echo"]}]
        """);

    [Fact]
    public async Task Echoes_the_last_user_message_through_the_SDK()
    {
        var result = await GatewayClients.Chat(_gateway, "echo").CompleteChatAsync(
            [new SystemChatMessage("be brief"), new UserChatMessage("first"), new AssistantChatMessage("ok"), new UserChatMessage("echo me please")], cancellationToken: Cancellation);

        Assert.Equal("echo me please", result.Value.Content[0].Text);
        Assert.Equal(3, result.Value.Usage.OutputTokenCount);
        Assert.Equal("mock", result.Header(GatewayCallHeaders.Provider));
        Assert.Equal("echo", result.Value.Model);
    }

    [Fact]
    public async Task Streams_fixed_text_in_chunks_with_usage()
    {
        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        var options = new ChatCompletionOptions();
        await foreach (var update in GatewayClients.Chat(_gateway, "fixed").CompleteChatStreamingAsync([new UserChatMessage("q")], options, Cancellation))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.Equal("The answer is 42.", string.Concat(pieces));
        Assert.True(pieces.Count(p => p.Length > 0) >= 4);
        Assert.Equal(4, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Max_tokens_truncates_and_says_length()
    {
        var result = await GatewayClients.Chat(_gateway, "fixed").CompleteChatAsync([new UserChatMessage("q")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }, Cancellation);

        Assert.Equal("The answer", result.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, result.Value.FinishReason);
    }

    [Fact]
    public async Task An_injected_429_reaches_the_caller_with_Retry_After()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"limited","messages":[]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task An_injected_400_is_an_OpenAI_error()
    {
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => GatewayClients.Chat(_gateway, "refusing").CompleteChatAsync([new UserChatMessage("q")], cancellationToken: Cancellation));

        Assert.Equal(400, failure.Status);
    }

    [Fact]
    public async Task A_mock_slower_than_its_timeout_is_abandoned_for_the_fallback()
    {
        var result = await GatewayClients.Chat(_gateway, "slow").CompleteChatAsync([new UserChatMessage("rescued")], cancellationToken: Cancellation);

        Assert.Equal("rescued", result.Value.Content[0].Text);
        Assert.Equal("echo", result.Header(GatewayCallHeaders.Deployment));
    }

    [Fact]
    public async Task Embeddings_are_deterministic_and_decode_in_the_SDK()
    {
        var client = GatewayClients.Embeddings(_gateway, "embed");

        var first = (await client.GenerateEmbeddingAsync("same text", cancellationToken: Cancellation)).Value.ToFloats().ToArray();
        var again = (await client.GenerateEmbeddingAsync("same text", cancellationToken: Cancellation)).Value.ToFloats().ToArray();
        var other = (await client.GenerateEmbeddingAsync("other text", cancellationToken: Cancellation)).Value.ToFloats().ToArray();

        Assert.Equal(8, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Legacy_completions_echo_the_prompt()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/completions", """{"model":"echo","prompt":"say this"}"""), Cancellation);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));

        Assert.Equal("say this", body.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_request_level_mock_response_wins_as_with_LiteLLM()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"echo","mock_response":"overridden","messages":[{"role":"user","content":"x"}]}"""), Cancellation);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));

        Assert.Equal("overridden", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _data.Dispose();
    }
}
