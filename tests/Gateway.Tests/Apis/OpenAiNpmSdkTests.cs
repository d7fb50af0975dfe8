using System.Text.Json;

namespace Gateway.Tests.Apis;

/// <summary>The official <c>openai</c> npm package, unmodified, against the gateway: OpenAI's client on /v1 and AzureOpenAI on the Azure routes.</summary>
public sealed class OpenAiNpmSdkTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _upstream = null!;
    private TestWebHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeOpenAiUpstream.StartAsync();
        _upstream.Responder = request => request.Json?["tools"] is not null
            ? FakeReply.ToolCall("get_weather", """{"city":"Paris"}""")
            : FakeReply.Answer("Hello from the fake upstream");
        _gateway = await GatewayHost.StartWithConfigAsync(_data, $"""
            model_list:
              - model_name: gpt-4o
                litellm_params: {"{"}model: openai/gpt-4o-2024-08-06, api_base: "{_upstream.ApiBase}", api_key: sk-upstream-1234{"}"}
              - model_name: text-embedding-3-small
                litellm_params: {"{"}model: openai/text-embedding-3-small, api_base: "{_upstream.ApiBase}", api_key: sk-upstream-1234{"}"}
              - model_name: azure-chat
                litellm_params: {"{"}model: azure/chat-deployment, api_base: "{_upstream.BaseAddress}", api_key: azure-upstream-key, api_version: "2024-10-21"{"}"}
              - model_name: azure-embeddings
                litellm_params: {"{"}model: azure/embedding-deployment, api_base: "{_upstream.BaseAddress}", api_key: azure-upstream-key{"}"}
            """);
    }

    [Fact]
    public async Task Chat_stream_tools_and_embeddings_through_the_npm_SDK_and_its_AzureOpenAI_client()
    {
        var output = await NpmTools.RunScriptAsync("openai-sdk-calls.mjs", new Dictionary<string, string?>
        {
            ["GATEWAY_URL"] = _gateway.BaseAddress.ToString().TrimEnd('/'),
            ["GATEWAY_KEY"] = GatewayHost.MasterKey,
            ["CHAT_MODEL"] = "gpt-4o",
            ["EMBEDDING_MODEL"] = "text-embedding-3-small",
            ["AZURE_CHAT_DEPLOYMENT"] = "azure-chat",
            ["AZURE_EMBEDDING_DEPLOYMENT"] = "azure-embeddings",
            ["AZURE_API_VERSION"] = "2024-10-21",
        }, TimeSpan.FromSeconds(60));
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;

        var chat = result.GetProperty("chat");
        Assert.Equal("Hello from the fake upstream", chat.GetProperty("text").GetString());
        Assert.Equal(FakeReply.PromptTokens, chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("gpt-4o", chat.GetProperty("deployment").GetString());

        var stream = result.GetProperty("stream");
        Assert.Equal("Hello from the fake upstream", stream.GetProperty("text").GetString());
        Assert.True(stream.GetProperty("chunks").GetInt32() > 3);
        Assert.Equal(FakeReply.CompletionTokens, stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("gpt-4o", stream.GetProperty("deployment").GetString());

        var tools = result.GetProperty("tools");
        Assert.Equal("tool_calls", tools.GetProperty("finish").GetString());
        Assert.Equal("get_weather", tools.GetProperty("call").GetProperty("name").GetString());
        Assert.Equal("""{"city":"Paris"}""", tools.GetProperty("call").GetProperty("arguments").GetString());

        // The SDK asks for base64 and decodes it: the fake's vector comes back as numbers.
        var embeddings = result.GetProperty("embeddings");
        Assert.Equal(2, embeddings.GetProperty("count").GetInt32());
        Assert.Equal([0.25f, -0.5f, 0.75f], embeddings.GetProperty("first").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("text-embedding-3-small", embeddings.GetProperty("deployment").GetString());

        var azure = result.GetProperty("azure");
        Assert.Equal("Hello from the fake upstream", azure.GetProperty("text").GetString());
        Assert.Equal("azure-chat", azure.GetProperty("deployment").GetString());
        Assert.Equal("Hello from the fake upstream", azure.GetProperty("streamed").GetString());
        Assert.Equal(3, azure.GetProperty("embeddingDimensions").GetInt32());

        var unknown = result.GetProperty("unknown");
        Assert.Equal(404, unknown.GetProperty("status").GetInt32());
        Assert.Equal("model_not_found", unknown.GetProperty("code").GetString());

        var requests = _upstream.Requests;
        Assert.Contains(requests, r => r.Path == "/openai/deployments/chat-deployment/chat/completions" && r.Query == "?api-version=2024-10-21" && r.Header("api-key") == "azure-upstream-key");
        Assert.Contains(requests, r => r.Path == "/openai/deployments/embedding-deployment/embeddings");
        Assert.All(requests, r => Assert.NotEqual("Bearer " + GatewayHost.MasterKey, r.Header("Authorization")));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
