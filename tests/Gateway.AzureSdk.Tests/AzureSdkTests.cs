using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Azure.AI.OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests;

/// <summary>
/// The official Azure.AI.OpenAI SDK, given the gateway's address as its Azure endpoint and the master key as its
/// API key (sent as <c>api-key</c>), calls the gateway's <c>/openai/deployments/{deployment}/…</c> routes; the
/// model groups are Azure deployments on a fake Azure resource, so the call is Azure on both sides.
/// </summary>
public sealed class AzureSdkTests : IAsyncLifetime
{
    private const string AzureKey = "azure-upstream-secret-key-17";
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
                  api_version: "2024-10-21"
              - model_name: text-embedding-3-small
                litellm_params:
                  model: azure/my-embeddings
                  api_base: {_upstream.BaseAddress}
                  api_key: {AzureKey}
                  api_version: "2024-10-21"
            router_settings:
              num_retries: 0
            """);
    }

    private AzureOpenAIClient AzureSdk() => new(_gateway.BaseAddress, new ApiKeyCredential(GatewayHost.MasterKey), new AzureOpenAIClientOptions
    {
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(30),
    });

    [Fact]
    public async Task Azure_SDK_chat_completion_goes_through_the_gateway_to_the_Azure_deployment()
    {
        var result = await AzureSdk().GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("Hi there")], cancellationToken: Cancellation);

        Assert.Equal("Hello from the fake upstream", result.Value.Content[0].Text);
        Assert.Equal(FakeReply.PromptTokens, result.Value.Usage.InputTokenCount);
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/openai/deployments/my-gpt-4o/chat/completions", request.Path);
        Assert.Equal(AzureKey, request.Header("api-key"));
        Assert.Null(request.Header("Authorization"));
        Assert.Equal("Hi there", request.Json!["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Azure_SDK_chat_stream_goes_through_the_gateway()
    {
        var text = new StringBuilder();
        await foreach (var update in AzureSdk().GetChatClient("gpt-4o").CompleteChatStreamingAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello from the fake upstream", text.ToString());
        var request = Assert.Single(_upstream.Requests);
        Assert.True(request.WantsStream);
        Assert.Equal("/openai/deployments/my-gpt-4o/chat/completions", request.Path);
    }

    [Fact]
    public async Task Azure_SDK_embeddings_go_through_the_gateway()
    {
        var result = await AzureSdk().GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingAsync("hello", cancellationToken: Cancellation);

        Assert.Equal([0.25f, -0.5f, 0.75f], result.Value.ToFloats().ToArray());
        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/openai/deployments/my-embeddings/embeddings", request.Path);
        Assert.Equal(AzureKey, request.Header("api-key"));
    }

    [Fact]
    public async Task Wrong_key_is_refused_with_the_SDKs_error()
    {
        var client = new AzureOpenAIClient(_gateway.BaseAddress, new ApiKeyCredential("wrong-key"), new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Cancellation));

        Assert.Equal(401, error.Status);
        Assert.Empty(_upstream.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
