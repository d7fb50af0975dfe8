using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Routing;

/// <summary>Wildcard <c>model_name</c>s as LiteLLM accepts them: <c>openai/*</c> and the catch-all <c>*</c>.</summary>
public sealed class WildcardModelTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _openAi = null!;
    private FakeOpenAiUpstream _other = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _openAi = await FakeOpenAiUpstream.StartAsync();
        _other = await FakeOpenAiUpstream.StartAsync();
        _openAi.Responder = _ => FakeReply.Answer("from OpenAI");
        _other.Responder = _ => FakeReply.Answer("from the catch-all");
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $$"""
            model_list:
              - model_name: "openai/*"
                litellm_params: {model: "openai/*", api_base: "{{_openAi.ApiBase}}", api_key: sk-openai-1234}
              - model_name: "*"
                litellm_params: {model: "*", api_base: "{{_other.ApiBase}}", api_key: sk-other-1234}
              - model_name: "openai/gpt-4o"
                litellm_params: {model: openai/pinned-gpt-4o, api_base: "{{_openAi.ApiBase}}", api_key: sk-openai-1234}
              - model_name: primary
                litellm_params: {model: mock/down, mock_error_status: 503}
            router_settings:
              num_retries: 0
              fallbacks: [{"primary": ["openai/gpt-4o-mini"]}]
            """);
    }

    [Fact]
    public async Task A_provider_wildcard_serves_any_model_of_that_provider_under_its_own_name()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.ChatRequest("openai/gpt-4.1-nano"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4.1-nano", Assert.Single(_openAi.Requests).Json!["model"]!.GetValue<string>());
        Assert.Equal("openai", response.Header(GatewayCallHeaders.Provider));
        Assert.Equal("openai/gpt-4.1-nano", response.Header(GatewayCallHeaders.Deployment));
    }

    [Fact]
    public async Task An_exact_model_name_wins_over_a_wildcard_that_also_matches()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.ChatRequest("openai/gpt-4o"), Cancellation);

        Assert.Equal("pinned-gpt-4o", Assert.Single(_openAi.Requests).Json!["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("groq/llama-3.3-70b-versatile", "groq", "llama-3.3-70b-versatile")]
    [InlineData("gpt-4o-mini-without-prefix", "openai", "gpt-4o-mini-without-prefix")]
    public async Task The_catch_all_takes_the_provider_from_the_callers_model(string model, string provider, string upstreamModel)
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.ChatRequest(model), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(provider, response.Header(GatewayCallHeaders.Provider));
        var request = Assert.Single(_other.Requests);
        Assert.Equal(upstreamModel, request.Json!["model"]!.GetValue<string>());
        Assert.Equal("Bearer sk-other-1234", request.Header("Authorization"));
    }

    [Fact]
    public async Task A_fallback_may_name_a_model_a_wildcard_serves()
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.ChatRequest("primary"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("openai/gpt-4o-mini", response.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("gpt-4o-mini", Assert.Single(_openAi.Requests).Json!["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_list_names_the_wildcards_and_any_name_they_serve_can_be_retrieved()
    {
        var list = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + GatewayHost.MasterKey } } }, Cancellation);
        var ids = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()).ToList();

        Assert.Equal(["openai/gpt-4o", "primary", "openai/*", "*"], ids);

        var model = await GatewayClients.Models(_gateway).GetModelAsync("openai/o4-mini", Cancellation);
        Assert.Equal("openai/o4-mini", model.Value.Id);
        Assert.Equal("openai", model.Value.OwnedBy);
    }

    [Fact]
    public async Task Without_a_catch_all_an_unmatched_model_is_404()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, $$"""
            model_list:
              - model_name: "openai/*"
                litellm_params: {model: "openai/*", api_base: "{{_openAi.ApiBase}}", api_key: sk-openai-1234}
            """);

        using var call = await gateway.Client.SendAsync(GatewayClients.ChatRequest("anthropic/claude"), Cancellation);
        using var get = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models/anthropic/claude") { Headers = { { "Authorization", "Bearer " + GatewayHost.MasterKey } } }, Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(call, HttpStatusCode.NotFound, "invalid_request_error", "model_not_found", param: "model");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Empty(_openAi.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAi.DisposeAsync();
        await _other.DisposeAsync();
        _data.Dispose();
    }
}
