using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Providers;

/// <summary>
/// Azure OpenAI both ways, over real HTTP: <c>azure/</c> deployments reach a fake Azure resource with Azure's URL
/// shape and <c>api-key</c> header; the gateway's Azure-style routes answer like its <c>/v1</c> routes (the official
/// Azure.AI.OpenAI SDK against them: Gateway.AzureSdk.Tests).
/// </summary>
public sealed class AzureOpenAiTests : IAsyncLifetime
{
    private const string AzureKey = "azure-upstream-secret-key-17";
    private const string ApiVersion = "2024-10-21";
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
                  model: azure/my-gpt-4o
                  api_base: {_upstream.BaseAddress}
                  api_key: {AzureKey}
                  api_version: "{ApiVersion}"
              - model_name: instruct
                litellm_params:
                  model: azure/my-instruct
                  api_base: {_upstream.BaseAddress}
                  api_key: {AzureKey}
                  api_version: "{ApiVersion}"
              - model_name: text-embedding-3-small
                litellm_params:
                  model: azure/my-embeddings
                  api_base: {_upstream.BaseAddress}
                  api_key: {AzureKey}
                  api_version: "{ApiVersion}"
              - model_name: versionless
                litellm_params:
                  model: azure/my-versionless
                  api_base: {_upstream.BaseAddress}
                  api_key: {AzureKey}
            router_settings:
              num_retries: 0
            """);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "gpt-4o", "my-gpt-4o", "chat/completions", "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]")]
    [InlineData("/v1/completions", "instruct", "my-instruct", "completions", "\"prompt\":\"hi\"")]
    [InlineData("/v1/embeddings", "text-embedding-3-small", "my-embeddings", "embeddings", "\"input\":\"hi\"")]
    public async Task Azure_deployment_is_called_at_its_deployment_URL_with_api_version_and_api_key(string path, string model, string deployment, string operation, string rest)
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post(path, $$"""{"model":"{{model}}",{{rest}}}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal($"/openai/deployments/{deployment}/{operation}", request.Path);
        Assert.Equal($"?api-version={ApiVersion}", request.Query);
        Assert.Equal(AzureKey, request.Header("api-key"));
        Assert.Null(request.Header("Authorization"));
        Assert.Equal(deployment, request.Json!["model"]!.GetValue<string>());
        Assert.Equal("azure", response.Header(GatewayCallHeaders.Provider));
    }

    [Fact]
    public async Task Without_api_version_the_deployment_uses_LiteLLMs_default()
    {
        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"versionless","messages":[{"role":"user","content":"hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?api-version=2025-02-01-preview", Assert.Single(_upstream.Requests).Query);
    }

    [Fact]
    public async Task Environment_supplies_api_base_api_key_and_api_version()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, """
            model_list:
              - model_name: from-env
                litellm_params:
                  model: azure/env-deployment
            """, new Dictionary<string, string?>
        {
            ["AZURE_API_BASE"] = _upstream.BaseAddress.ToString(),
            ["AZURE_API_KEY"] = "key-from-environment",
            ["AZURE_API_VERSION"] = "2024-06-01",
        });

        using var response = await gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"from-env","messages":[{"role":"user","content":"hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/openai/deployments/env-deployment/chat/completions", request.Path);
        Assert.Equal("?api-version=2024-06-01", request.Query);
        Assert.Equal("key-from-environment", request.Header("api-key"));
    }

    [Fact]
    public async Task Azure_route_names_the_model_group_in_its_path_and_needs_no_api_version_nor_body_model()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openai/deployments/gpt-4o/chat/completions")
        {
            Content = new StringContent("""{ "messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", GatewayHost.MasterKey);

        using var response = await _gateway.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Requests);
        Assert.Equal("""{"model":"my-gpt-4o", "messages":[{"role":"user","content":"hi"}]}""", received.Body);
        Assert.Equal("/openai/deployments/my-gpt-4o/chat/completions", received.Path);
    }

    [Fact]
    public async Task Azure_route_path_wins_over_the_body_model()
    {
        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post($"/openai/deployments/instruct/completions?api-version={ApiVersion}", """{"model":"gpt-4o","prompt":"hi"}"""), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Requests);
        Assert.Equal("/openai/deployments/my-instruct/completions", received.Path);
        Assert.Equal("my-instruct", received.Json!["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("wrong-key", "gpt-4o", 401, "invalid_api_key")]
    [InlineData(GatewayHost.MasterKey, "no-such-group", 404, "model_not_found")]
    public async Task Azure_route_errors_are_in_OpenAIs_shape(string key, string deployment, int status, string code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/openai/deployments/{deployment}/chat/completions?api-version={ApiVersion}")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", key);

        using var response = await _gateway.Client.SendAsync(request, Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Empty(_upstream.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
