using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.Routing;

/// <summary>Two gateway replicas sharing one Redis, as in the distributed shape.</summary>
public sealed class SharedCooldownTests(RedisServer redis) : IAsyncLifetime
{
    private readonly TemporaryDirectory _first = new();
    private readonly TemporaryDirectory _second = new();
    private FakeOpenAiUpstream _failing = null!;
    private FakeOpenAiUpstream _healthy = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _failing = await FakeOpenAiUpstream.StartAsync();
        _healthy = await FakeOpenAiUpstream.StartAsync();
        _failing.Responder = _ => FakeReply.Status(503);
    }

    [Fact]
    public async Task A_cooldown_tripped_on_one_replica_keeps_the_other_replica_away_from_the_deployment()
    {
        // Ids unique to this run, so cooldown keys left in the shared Redis by other tests cannot interfere.
        var run = Guid.NewGuid().ToString("N")[..8];
        var config = $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: openai/a, api_base: "{{_failing.ApiBase}}", api_key: sk-a-key-1234}
                model_info: {id: failing-{{run}}}
              - model_name: chat
                litellm_params: {model: openai/b, api_base: "{{_healthy.ApiBase}}", api_key: sk-b-key-1234}
                model_info: {id: healthy-{{run}}}
            router_settings: {allowed_fails: 0, cooldown_time: 60, num_retries: 1}
            """;
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };
        await using var first = await GatewayHost.StartWithConfigAsync(_first, config, settings);
        await using var second = await GatewayHost.StartWithConfigAsync(_second, config, settings);

        for (var i = 0; i < 100 && _failing.Requests.Count == 0; i++)
        {
            using var response = await first.Client.SendAsync(Chat(), Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(_failing.Requests);
        for (var i = 0; i < 20; i++)
        {
            using var response = await second.Client.SendAsync(Chat(), Cancellation);
            Assert.Equal($"healthy-{run}", response.Header(GatewayCallHeaders.Deployment));
        }

        Assert.Single(_failing.Requests);
    }

    [Fact]
    public async Task A_deployments_state_is_refreshed_in_the_background_so_no_call_waits_on_Redis_for_it()
    {
        // A Redis of its own: it is paused below.
        await using var ownRedis = new RedisServer();
        await ownRedis.InitializeAsync();
        var config = $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: openai/b, api_base: "{{_healthy.ApiBase}}", api_key: sk-b-key-1234}
            router_settings: {allowed_fails: 3, cooldown_time: 60}
            """;
        await using var gateway = await GatewayHost.StartWithConfigAsync(_first, config, new Dictionary<string, string?>
        {
            // Commands wait out the pause below rather than time out, as they would on a slow Redis.
            ["ConnectionStrings:redis"] = $"{ownRedis.ConnectionString},asyncTimeout=30000",
        });
        using (var first = await gateway.Client.SendAsync(Chat(), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await Task.Delay(Gateway.Routing.DeploymentCooldown.StateRefresh + TimeSpan.FromMilliseconds(200), Cancellation);
        await using var control = await ConnectionMultiplexer.ConnectAsync($"{ownRedis.ConnectionString},allowAdmin=true,asyncTimeout=30000");
        await control.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "10000", "ALL");
        var pauseEnded = control.GetDatabase().PingAsync();

        // The state read a second ago is stale: the call routes on it while its refresh waits for Redis.
        using var call = await gateway.Client.SendAsync(Chat(), Cancellation);

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.False(pauseEnded.IsCompleted, "The call was answered only once Redis was back.");
        await pauseEnded;
    }

    private static HttpRequestMessage Chat() => GatewayClients.Post("/v1/chat/completions", """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""");

    public async ValueTask DisposeAsync()
    {
        await _failing.DisposeAsync();
        await _healthy.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
    }
}
