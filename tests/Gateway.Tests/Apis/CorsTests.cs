using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Apis;

/// <summary>Browsers reach the model API only from the origins in <c>Gateway:Cors:AllowedOrigins</c>; none by default.</summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string Allowed = "https://chat.example.com";
    private readonly TemporaryDirectory _data = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private static HttpRequestMessage Preflight(string origin, string path = "/v1/chat/completions")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private Task<TestWebHost> StartAsync(params string[] origins) => GatewayHost.StartWithConfigAsync(_data, """
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: mock/gpt-4o}
        """, origins.Select((origin, i) => KeyValuePair.Create($"Gateway:Cors:AllowedOrigins:{i}", (string?)origin)).ToDictionary());

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")]
    [InlineData("/v1/messages")]
    public async Task A_preflight_from_an_allowed_origin_is_answered_without_credentials(string path)
    {
        await using var gateway = await StartAsync(Allowed, "http://localhost:5173");

        using var response = await gateway.Client.SendAsync(Preflight(Allowed, path), Cancellation);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
        Assert.Contains("POST", response.Header("Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("authorization", response.Header("Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_preflight_from_another_origin_gets_no_CORS_permission()
    {
        await using var gateway = await StartAsync(Allowed);

        using var response = await gateway.Client.SendAsync(Preflight("https://evil.example.net"), Cancellation);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task By_default_no_origin_is_allowed()
    {
        await using var gateway = await StartAsync();

        using var response = await gateway.Client.SendAsync(Preflight(Allowed), Cancellation);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_call_from_an_allowed_origin_may_read_the_answer_and_the_gateway_headers()
    {
        await using var gateway = await StartAsync(Allowed);
        using var request = GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("Origin", Allowed);

        using var response = await gateway.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
        Assert.Contains(GatewayCallHeaders.Provider, response.Header("Access-Control-Expose-Headers"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_wildcard_must_be_written_to_allow_every_origin()
    {
        await using var gateway = await StartAsync("*");

        using var response = await gateway.Client.SendAsync(Preflight("https://anyone.example.org"), Cancellation);

        Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_origin_with_a_path_stops_start_up()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("https://chat.example.com/app"));

        Assert.Contains("Gateway:Cors:AllowedOrigins", failure.Message, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}
