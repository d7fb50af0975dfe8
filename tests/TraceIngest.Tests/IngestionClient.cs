using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storage.Blobs;
using Storage.Queue;
using TraceIngest.Ingestion;

namespace TraceIngest.Tests;

/// <summary>Posts to the ingestion API as a Langfuse SDK does, and looks at what reached the blob store and queue.</summary>
internal sealed class IngestionClient(TestWebHost host, string publicKey, string secretKey)
{
    public async Task<HttpResponseMessage> PostAsync(string path, HttpContent content, bool authenticate = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (authenticate)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{publicKey}:{secretKey}")));
        }

        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> PostBatchAsync(params JsonNode[] events) =>
        PostAsync("/api/public/ingestion", Json(new JsonObject { ["batch"] = new JsonArray(events), ["metadata"] = new JsonObject { ["sdk_name"] = "test" } }));

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public static JsonObject Event(string type, JsonObject body, string? id = null) => new()
    {
        ["id"] = id ?? Guid.NewGuid().ToString(),
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["type"] = type,
        ["body"] = body,
    };

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

    /// <summary>The references queued so far, acknowledged so a later call sees only newer ones.</summary>
    public async Task<List<IngestionBatchReference>> DrainQueueAsync(TimeSpan wait)
    {
        var queue = host.Services.GetRequiredService<IMessageQueue>();
        var messages = await queue.ReceiveAsync("ingestion", "test", 1000, wait, TestContext.Current.CancellationToken);
        await queue.AcknowledgeAsync("ingestion", [.. messages.Select(m => m.Id)], TestContext.Current.CancellationToken);
        return messages.Select(m => JsonSerializer.Deserialize<IngestionBatchReference>(m.Body.Span, JsonSerializerOptions.Web)!).ToList();
    }

    public async Task<JsonDocument> ReadBatchAsync(string blobKey)
    {
        await using var stream = await host.Services.GetRequiredService<IBlobStore>().OpenReadAsync(blobKey, TestContext.Current.CancellationToken);
        Assert.NotNull(stream);
        return await JsonDocument.ParseAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
    }
}
