using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace Gateway.Tests;

/// <summary>The official OpenAI .NET SDK pointed at a test gateway, with its own retries off so the gateway's behaviour shows.</summary>
internal static class GatewayClients
{
    public static OpenAIClientOptions Options(TestWebHost host) => new()
    {
        Endpoint = new Uri(host.BaseAddress, "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(30),
    };

    public static ChatClient Chat(TestWebHost host, string model, string key = GatewayHost.MasterKey) =>
        new(model, new ApiKeyCredential(key), Options(host));

    public static EmbeddingClient Embeddings(TestWebHost host, string model) =>
        new(model, new ApiKeyCredential(GatewayHost.MasterKey), Options(host));

    public static OpenAIModelClient Models(TestWebHost host, string key = GatewayHost.MasterKey) => new(new ApiKeyCredential(key), Options(host));

    /// <summary>A raw request with the master key, for what the SDK does not send (malformed bodies, other paths).</summary>
    public static HttpRequestMessage Post(string path, string json, string? key = GatewayHost.MasterKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    /// <summary>A chat completion request for <paramref name="model"/> with one user message, as raw JSON.</summary>
    public static HttpRequestMessage ChatRequest(string model, string content = "hi", bool stream = false) =>
        Post("/v1/chat/completions", $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{content}}"}]}""");

    /// <summary>Streams a chat answer through the SDK; <paramref name="onFirstContent"/> runs as soon as the first content arrives, whose moment is returned with the text.</summary>
    public static async Task<(string Text, long FirstContentAt)> StreamChatAsync(ChatClient client, string prompt, Action onFirstContent, CancellationToken cancellationToken)
    {
        var firstContentAt = 0L;
        var text = new System.Text.StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(prompt)], cancellationToken: cancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (firstContentAt == 0)
                {
                    firstContentAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    onFirstContent();
                }

                text.Append(part.Text);
            }
        }

        return (text.ToString(), firstContentAt);
    }

    public static string Header(this ClientResult result, string name) =>
        result.GetRawResponse().Headers.TryGetValue(name, out var value) ? value! : throw new InvalidOperationException($"No {name} header");

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new InvalidOperationException($"No {name} header");
}
