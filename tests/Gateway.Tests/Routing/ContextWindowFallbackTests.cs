using System.Net;

namespace Gateway.Tests.Routing;

/// <summary>Prompts too long for a model go to its <c>context_window_fallbacks</c>: on the upstream's error, or before calling it.</summary>
public sealed class ContextWindowFallbackTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _small = null!;
    private FakeOpenAiUpstream _large = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _small = await FakeOpenAiUpstream.StartAsync();
        _large = await FakeOpenAiUpstream.StartAsync();
        _small.Responder = _ => FakeReply.Answer("small");
        _large.Responder = _ => FakeReply.Answer("large");
    }

    private string Config(string smallInfo = "") => $$"""
        model_list:
          - model_name: small
            litellm_params: {model: openai/small, api_base: "{{_small.ApiBase}}", api_key: sk-small-1234}
            model_info: {id: small{{smallInfo}}}
          - model_name: large
            litellm_params: {model: openai/large, api_base: "{{_large.ApiBase}}", api_key: sk-large-1234}
            model_info: {id: large, max_input_tokens: 128000}
        router_settings:
          context_window_fallbacks: [{"small": ["large"]}]
          num_retries: 0
        """;

    private static string LongPrompt => string.Join(' ', Enumerable.Repeat("word", 200));

    [Fact]
    public async Task An_upstream_context_length_error_is_answered_by_the_context_window_fallback()
    {
        _small.Responder = _ => FakeReply.ContextLengthExceeded();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("small", LongPrompt), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("large", response.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("2", response.Header(GatewayCallHeaders.Attempts));
        Assert.Single(_small.Requests);
    }

    [Fact]
    public async Task A_prompt_estimated_beyond_max_input_tokens_goes_to_the_fallback_without_calling_the_small_model()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(", max_input_tokens: 100"));

        using var longCall = await gateway.Client.SendAsync(GatewayClients.ChatRequest("small", LongPrompt), Cancellation);
        using var shortCall = await gateway.Client.SendAsync(GatewayClients.ChatRequest("small", "hi"), Cancellation);

        Assert.Equal("large", longCall.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("1", longCall.Header(GatewayCallHeaders.Attempts));
        Assert.Equal("small", shortCall.Header(GatewayCallHeaders.Deployment));
        Assert.Single(_small.Requests);
        Assert.Single(_large.Requests);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Model small: the prompt is too long for it, trying its context-window fallbacks large", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_context_window_fallbacks_the_upstreams_refusal_reaches_the_caller_as_it_wrote_it()
    {
        _small.Responder = _ => FakeReply.ContextLengthExceeded();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(", max_input_tokens: 100").Replace("context_window_fallbacks: [{\"small\": [\"large\"]}]", string.Empty, StringComparison.Ordinal));

        using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("small", LongPrompt), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", "context_length_exceeded", param: "messages");
        Assert.Single(_small.Requests);
        Assert.Empty(_large.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _small.DisposeAsync();
        await _large.DisposeAsync();
        _data.Dispose();
    }
}
