using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Governance;

/// <summary>Calls to the LiteLLM-compatible management API as an admin tool makes them: JSON in, JSON out.</summary>
internal static class ManagementCalls
{
    public static async Task<Reply> PostAsync(this TestWebHost host, string path, string json, string? key = GatewayHost.MasterKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await SendAsync(host, request, key);
    }

    public static Task<Reply> PostAsync(this TestWebHost host, string path, JsonNode body, string? key = GatewayHost.MasterKey) =>
        host.PostAsync(path, body.ToJsonString(), key);

    public static async Task<Reply> GetAsync(this TestWebHost host, string path, string? key = GatewayHost.MasterKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(host, request, key);
    }

    /// <summary>Generates a key with the given fields and returns the key itself.</summary>
    public static async Task<string> GenerateKeyAsync(this TestWebHost host, JsonObject? fields = null)
    {
        var reply = await host.PostAsync("/key/generate", fields ?? []);
        reply.AssertOk();
        return reply.Body!["key"]!.GetValue<string>();
    }

    private static async Task<Reply> SendAsync(TestWebHost host, HttpRequestMessage request, string? key)
    {
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), text, response.Headers.RetryAfter?.Delta);
    }

    public sealed record Reply(HttpStatusCode Status, JsonNode? Body, string Text, TimeSpan? RetryAfter)
    {
        public Reply AssertOk()
        {
            Assert.True(Status == HttpStatusCode.OK, $"Expected 200, got {(int)Status}: {Text}");
            return this;
        }

        /// <summary>Asserts an OpenAI-shaped error and returns its <c>error</c> object.</summary>
        public JsonObject AssertError(HttpStatusCode status, string? type = null)
        {
            Assert.True(Status == status, $"Expected {(int)status}, got {(int)Status}: {Text}");
            var error = Assert.IsType<JsonObject>(Body?["error"]);
            Assert.False(string.IsNullOrWhiteSpace(error["message"]?.GetValue<string>()));
            if (type is not null)
            {
                Assert.Equal(type, error["type"]?.GetValue<string>());
            }

            return error;
        }
    }
}
