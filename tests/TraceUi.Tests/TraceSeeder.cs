using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceUi.Tests;

/// <summary>
/// Sends traces as a Langfuse SDK does — batches to <c>POST /api/public/ingestion</c> with the project's key pair —
/// and waits until the worker has written them, read back through the public read API.
/// </summary>
internal sealed class TraceSeeder(TestWebHost host)
{
    public async Task SendAsync(params JsonObject[] events)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/ingestion")
        {
            Content = new StringContent(new JsonObject { ["batch"] = new JsonArray(events) }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        Authorize(request);
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == (HttpStatusCode)207, body);
        Assert.Equal(0, JsonDocument.Parse(body).RootElement.GetProperty("errors").GetArrayLength());
    }

    /// <summary>Polls the public API until the trace is stored with <paramref name="observations"/> observations.</summary>
    public async Task WaitForTraceAsync(string traceId, int observations)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/public/traces/{traceId}");
            Authorize(request);
            using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var trace = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                if (trace.RootElement.GetProperty("observations").GetArrayLength() >= observations)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"trace {traceId} was not written within 30 s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public static JsonObject Event(string type, JsonObject body) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["type"] = type,
        ["body"] = body,
    };

    public static string Time(DateTime at) => at.ToString("O");

    private static void Authorize(HttpRequestMessage request) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UiHost.PublicKey}:{UiHost.SecretKey}")));
}
