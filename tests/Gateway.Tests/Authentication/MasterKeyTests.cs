using System.Net;

namespace Gateway.Tests.Authentication;

public sealed class MasterKeyTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _upstream = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await FakeOpenAiUpstream.StartAsync();

    private string Config(string extra = "") => $$"""
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_base: "{{_upstream.ApiBase}}", api_key: sk-upstream-1234}
        {{extra}}
        """;

    private static HttpRequestMessage Chat(string? key, string header = "Authorization")
    {
        var request = GatewayClients.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[]}""", key: null);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? $"Bearer {key}" : key);
        }

        return request;
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("api-key")]
    [InlineData("x-api-key")]
    public async Task The_master_key_is_accepted_where_OpenAI_and_Azure_SDKs_send_keys_and_never_reaches_the_upstream(string header)
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.SendAsync(Chat(GatewayHost.MasterKey, header), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var upstream = Assert.Single(_upstream.Requests);
        Assert.Equal("Bearer sk-upstream-1234", upstream.Header("Authorization"));
        Assert.Null(upstream.Header("api-key"));
        Assert.Null(upstream.Header("x-api-key"));
        Assert.DoesNotContain(GatewayHost.MasterKey, string.Join('\n', upstream.Headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_is_401_in_OpenAIs_shape()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.SendAsync(Chat(null), Cancellation);

        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_request_error", "invalid_api_key");
        Assert.Contains("didn't provide an API key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task A_wrong_key_is_401_and_is_not_echoed()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.SendAsync(Chat("sk-wrong-0123456789"), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_api_key", body, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-0123456789", body, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-0123456789", gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_need_the_key_too()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.GetAsync("/v1/models", Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_master_key_of_general_settings_is_used_and_wins_over_LITELLM_MASTER_KEY()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config("general_settings:\n  master_key: os.environ/MY_PROXY_KEY"),
            new Dictionary<string, string?> { ["MY_PROXY_KEY"] = "sk-from-general-settings" });

        using var withConfigKey = await gateway.Client.SendAsync(Chat("sk-from-general-settings"), Cancellation);
        using var withEnvironmentKey = await gateway.Client.SendAsync(Chat(GatewayHost.MasterKey), Cancellation);

        Assert.Equal(HttpStatusCode.OK, withConfigKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withEnvironmentKey.StatusCode);
    }

    [Fact]
    public async Task Without_a_master_key_the_model_API_is_open_as_with_LiteLLM()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(), new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = null });

        using var response = await gateway.Client.SendAsync(Chat(null), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_probes_need_no_key()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config());

        using var response = await gateway.Client.GetAsync("/health/liveliness", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _data.Dispose();
    }
}
