using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Governance;

namespace Gateway.Tests.Routing;

/// <summary>A deployment's <c>rpm</c> and <c>tpm</c> are limits, on one replica and across replicas sharing Redis.</summary>
public sealed class DeploymentLimitTests(RedisServer redis) : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private readonly TemporaryDirectory _other = new();
    private FakeOpenAiUpstream _a = null!;
    private FakeOpenAiUpstream _b = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _a = await FakeOpenAiUpstream.StartAsync();
        _b = await FakeOpenAiUpstream.StartAsync();
    }

    [Fact]
    public async Task Calls_beyond_every_deployments_rpm_get_429_with_Retry_After_and_reach_no_upstream()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, $$$"""
            model_list:
              - {model_name: chat, litellm_params: {model: openai/a, api_base: "{{{_a.ApiBase}}}", api_key: sk-a-1234, rpm: 2}, model_info: {id: a}}
              - {model_name: chat, litellm_params: {model: openai/b, api_base: "{{{_b.ApiBase}}}", api_key: sk-b-1234, rpm: 3}, model_info: {id: b}}
            """);
        await MinuteBoundary.AvoidAsync(Cancellation);

        for (var i = 0; i < 5; i++)
        {
            using var served = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var refused = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(refused, HttpStatusCode.TooManyRequests, "requests", "rate_limit_exceeded");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal("0", refused.Header(GatewayCallHeaders.Attempts));
        Assert.Equal(2, _a.Requests.Count);
        Assert.Equal(3, _b.Requests.Count);
    }

    [Fact]
    public async Task A_deployment_whose_tpm_is_spent_this_minute_is_skipped_for_the_next()
    {
        // Each fake answer uses 18 tokens: after one call the first deployment has no room for another prompt.
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, $$$"""
            model_list:
              - {model_name: chat, litellm_params: {model: openai/a, api_base: "{{{_a.ApiBase}}}", api_key: sk-a-1234, tpm: 20, weight: 1000}, model_info: {id: a}}
              - {model_name: chat, litellm_params: {model: openai/b, api_base: "{{{_b.ApiBase}}}", api_key: sk-b-1234, weight: 1}, model_info: {id: b}}
            """);
        await MinuteBoundary.AvoidAsync(Cancellation);

        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat", "a prompt of a few more words"), Cancellation);
            served.Add(response.Header(GatewayCallHeaders.Deployment));
        }

        Assert.Single(_a.Requests);
        Assert.Equal(5, served.Count(d => d == "b"));
    }

    [Fact]
    public async Task An_rpm_limit_is_shared_by_every_replica()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var config = $$$"""
            model_list:
              - {model_name: chat, litellm_params: {model: openai/a, api_base: "{{{_a.ApiBase}}}", api_key: sk-a-1234, rpm: 4}, model_info: {id: limited-{{{run}}}}}
            """;
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };
        await using var first = await GatewayHost.StartWithConfigAsync(_data, config, settings);
        await using var second = await GatewayHost.StartWithConfigAsync(_other, config, settings);
        await MinuteBoundary.AvoidAsync(Cancellation);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await (i % 2 == 0 ? first : second).Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(4, _a.Requests.Count);
    }

    [Fact]
    public async Task A_call_governance_refuses_leaves_its_deployments_rpm_to_other_calls()
    {
        // With Redis the key's charge is in flight while the deployment is chosen (and counted): a refusal gives that count back.
        var run = Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:redis"] = await IsolatedRedis.ConnectionStringAsync(redis) };
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, $$$"""
            model_list:
              - {model_name: chat, litellm_params: {model: openai/a, api_base: "{{{_a.ApiBase}}}", api_key: sk-a-1234, rpm: 2}, model_info: {id: counted-{{{run}}}}}
            """, settings);
        var key = await gateway.GenerateKeyAsync(new JsonObject { ["rpm_limit"] = 1 });
        await MinuteBoundary.AvoidAsync(Cancellation);
        var body = """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""";

        var statuses = new List<HttpStatusCode>
        {
            (await gateway.PostAsync("/v1/chat/completions", body, key)).Status,
            (await gateway.PostAsync("/v1/chat/completions", body, key)).Status,
            (await gateway.PostAsync("/v1/chat/completions", body)).Status,
        };
        var beyondDeployment = await gateway.PostAsync("/v1/chat/completions", body);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.Contains("every deployment", beyondDeployment.AssertError(HttpStatusCode.TooManyRequests, "requests")["message"]!.GetValue<string>(),
            StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, _a.Requests.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _data.Dispose();
        _other.Dispose();
    }
}
