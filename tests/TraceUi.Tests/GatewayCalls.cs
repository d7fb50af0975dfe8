using System.Net.Http.Headers;
using System.Text;

namespace TraceUi.Tests;

/// <summary>A chat call to the gateway composed in the test host, as an application with a virtual key makes it.</summary>
internal static class GatewayCalls
{
    public static async Task<HttpResponseMessage> ChatAsync(TestWebHost host, string key, string model = "mock-echo")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
