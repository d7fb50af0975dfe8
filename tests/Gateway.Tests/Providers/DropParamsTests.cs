using System.Net;

namespace Gateway.Tests.Providers;

/// <summary><c>drop_params</c>: fields a provider or model refuses are removed before the call, or refused with 400 without it.</summary>
public sealed class DropParamsTests : IAsyncLifetime
{
    private const string ReasoningRequest = """
        {"model":"reasoning","messages":[{"role":"user","content":"Think"}],"temperature":0.2,"top_p":0.9,"logprobs":true,"max_tokens":64,"seed":7}
        """;

    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _upstream = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await FakeOpenAiUpstream.StartAsync();

    private string Config(string settings, string extra = "") => $$"""
        model_list:
          - model_name: reasoning
            litellm_params: {model: openai/o4-mini, api_base: "{{_upstream.ApiBase}}", api_key: sk-up-1234{{extra}}}
          - model_name: chat
            litellm_params: {model: openai/gpt-4o, api_base: "{{_upstream.ApiBase}}", api_key: sk-up-1234, additional_drop_params: [logit_bias]}
          - model_name: groq
            litellm_params: {model: groq/llama-3.3-70b-versatile, api_base: "{{_upstream.ApiBase}}", api_key: gsk-up-1234, drop_params: true}
        {{settings}}
        """;

    [Fact]
    public async Task With_drop_params_a_reasoning_model_gets_the_request_without_the_fields_it_refuses()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config("litellm_settings: {drop_params: true}"));

        using var response = await gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", ReasoningRequest), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(_upstream.Requests).Json!.AsObject();
        Assert.Equal(["model", "messages", "max_completion_tokens", "seed"], sent.Select(p => p.Key));
        Assert.Equal("o4-mini", sent["model"]!.GetValue<string>());
        Assert.Equal(64, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("""[{"role":"user","content":"Think"}]""", sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task Without_drop_params_the_refused_fields_are_a_400_naming_them_and_no_upstream_is_called()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(string.Empty));

        using var response = await gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", ReasoningRequest), Cancellation);

        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", "unsupported_params", param: "temperature");
        Assert.Contains("temperature, top_p, logprobs", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task The_deployments_own_drop_params_wins_over_litellm_settings()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config("litellm_settings: {drop_params: false}", ", drop_params: true"));

        using var response = await gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", ReasoningRequest), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Assert.Single(_upstream.Requests).Json!["temperature"]);
    }

    [Fact]
    public async Task Temperature_1_is_what_reasoning_models_accept_so_it_stays()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(string.Empty));

        using var response = await gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"reasoning","messages":[{"role":"user","content":"x"}],"temperature":1}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Assert.Single(_upstream.Requests).Json!["temperature"]!.GetValue<int>());
    }

    [Fact]
    public async Task Groq_gets_no_logprobs_and_additional_drop_params_are_always_dropped()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(string.Empty));

        using var groq = await gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"groq","messages":[{"role":"user","content":"x"}],"logprobs":true,"logit_bias":{"50256":-100},"temperature":0.5}"""), Cancellation);
        using var chat = await gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"chat","logit_bias":{"50256":-100},"messages":[{"role":"user","content":"x"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, groq.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        var requests = _upstream.Requests;
        Assert.Equal(["model", "messages", "temperature"], requests[0].Json!.AsObject().Select(p => p.Key));
        Assert.Equal(["model", "messages"], requests[1].Json!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Only_top_level_fields_are_dropped_wherever_they_stand_and_nested_values_stay_as_sent()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(string.Empty));
        const string Body = """{ "logit_bias": {"1": 2}, "messages": [{"role":"user","content":"logprobs","logprobs":true}], "model": "groq", "logprobs": null }""";

        using var response = await gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", Body), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"messages": [{"role":"user","content":"logprobs","logprobs":true}],"model":"llama-3.3-70b-versatile"}""", Assert.Single(_upstream.Requests).Body);
    }

    [Fact]
    public async Task A_model_that_refuses_nothing_gets_the_callers_bytes_unchanged()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config("litellm_settings: {drop_params: true}"));
        const string Body = """{ "model" : "chat",  "temperature": 0.2, "top_p": 0.9, "messages":[{"role":"user","content":"x"}] }""";

        using var response = await gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", Body), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body.Replace("\"chat\"", "\"gpt-4o\"", StringComparison.Ordinal), Assert.Single(_upstream.Requests).Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
