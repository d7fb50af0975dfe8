using System.Net;

namespace Gateway.Tests.Routing;

/// <summary>Latency-based and usage-based routing between two deployments of one group, each on its own fake upstream.</summary>
public sealed class RoutingStrategyTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _slow = null!;
    private FakeOpenAiUpstream _fast = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _slow = await FakeOpenAiUpstream.StartAsync();
        _fast = await FakeOpenAiUpstream.StartAsync();
    }

    private string Group(string router) => $$"""
        model_list:
          - model_name: chat
            litellm_params: {model: openai/slow, api_base: "{{_slow.ApiBase}}", api_key: sk-slow-1234}
            model_info: {id: slow}
          - model_name: chat
            litellm_params: {model: openai/fast, api_base: "{{_fast.ApiBase}}", api_key: sk-fast-1234}
            model_info: {id: fast}
        router_settings:
        {{router}}
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Latency_based_routing_sends_calls_to_the_faster_deployment_once_both_are_measured(bool stream)
    {
        // For streams the slow upstream is slow to its first chunk, which is what latency-based routing compares there.
        _slow.Responder = _ => FakeReply.Delayed(TimeSpan.FromMilliseconds(800), FakeReply.Answer("slow"));
        _fast.Responder = _ => FakeReply.Answer("fast");
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Group("  routing_strategy: latency-based-routing"));

        var served = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat", stream: stream), Cancellation);
            await response.Content.ReadAsStringAsync(Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served.Add(response.Header(GatewayCallHeaders.Deployment));
        }

        // Each is tried once to be measured; after that the slow one gets nothing (one more only if a loaded
        // machine made a single fast answer take seconds).
        Assert.InRange(_slow.Requests.Count, 1, 2);
        Assert.InRange(served.Count(d => d == "fast"), 18, 19);
    }

    [Fact]
    public async Task Latency_based_routing_with_a_buffer_shares_calls_between_deployments_of_similar_speed()
    {
        _slow.Responder = _ => FakeReply.Delayed(TimeSpan.FromMilliseconds(40), FakeReply.Answer("a"));
        _fast.Responder = _ => FakeReply.Delayed(TimeSpan.FromMilliseconds(40), FakeReply.Answer("b"));
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data,
            Group("  routing_strategy: latency-based-routing\n  routing_strategy_args: {lowest_latency_buffer: 50}"));

        for (var i = 0; i < 30; i++)
        {
            using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A buffer of fifty times the fastest latency admits both; each draw is then even (p of fewer than 5 of 30 < 0.0002).
        Assert.InRange(_slow.Requests.Count, 5, 25);
    }

    [Fact]
    public async Task Usage_based_routing_sends_each_call_to_the_deployment_with_the_fewest_tokens_this_minute()
    {
        _slow.Responder = _ => FakeReply.Answer("a");
        _fast.Responder = _ => FakeReply.Answer("b");
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Group("  routing_strategy: usage-based-routing-v2"));
        await MinuteBoundary.AvoidAsync(Cancellation);

        for (var i = 0; i < 10; i++)
        {
            using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Every answer uses the same tokens, so the least used deployment alternates.
        Assert.Equal(5, _slow.Requests.Count);
        Assert.Equal(5, _fast.Requests.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _slow.DisposeAsync();
        await _fast.DisposeAsync();
        _data.Dispose();
    }
}
