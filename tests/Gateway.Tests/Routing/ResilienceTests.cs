using System.Diagnostics;
using System.Net;
using OpenAI.Chat;

namespace Gateway.Tests.Routing;

public sealed class ResilienceTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _a = null!;
    private FakeOpenAiUpstream _b = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _a = await FakeOpenAiUpstream.StartAsync();
        _b = await FakeOpenAiUpstream.StartAsync();
        _a.Responder = _ => FakeReply.Answer("from A");
        _b.Responder = _ => FakeReply.Answer("from B");
    }

    private string TwoGroups(string router = "") => $$"""
        model_list:
          - model_name: primary
            litellm_params: {model: openai/gpt-4o, api_base: "{{_a.ApiBase}}", api_key: sk-a-key-1234, timeout: 1}
          - model_name: backup
            litellm_params: {model: openai/gpt-4o-mini, api_base: "{{_b.ApiBase}}", api_key: sk-b-key-1234}
        router_settings:
          fallbacks: [{"primary": ["backup"]}]
        {{router}}
        """;

    private string OneGroupTwoDeployments(string router) => $$"""
        model_list:
          - model_name: chat
            litellm_params: {model: openai/a, api_base: "{{_a.ApiBase}}", api_key: sk-a-key-1234}
            model_info: {id: deployment-a}
          - model_name: chat
            litellm_params: {model: openai/b, api_base: "{{_b.ApiBase}}", api_key: sk-b-key-1234}
            model_info: {id: deployment-b}
        router_settings:
        {{router}}
        """;

    /// <summary>
    /// One call through the OpenAI SDK and one raw, to the healthy group: the time bounds below are about the
    /// fallback, not about a fresh host's first call (JIT, first connections), which on a loaded CI machine alone can
    /// take seconds.
    /// </summary>
    private static async Task WarmUpAsync(TestWebHost gateway)
    {
        await GatewayClients.Chat(gateway, "backup").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancellation);
        using var response = await gateway.Client.SendAsync(Chat("backup"), Cancellation);
        response.EnsureSuccessStatusCode();
    }

    private static HttpRequestMessage Chat(string model, bool stream = false) =>
        GatewayClients.Post("/v1/chat/completions", $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

    [Fact]
    public async Task Fallback_is_served_within_five_seconds_when_primary_hangs()
    {
        _a.Responder = _ => FakeReply.Hang();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups());
        await WarmUpAsync(gateway);

        var clock = Stopwatch.StartNew();
        var result = await GatewayClients.Chat(gateway, "primary").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancellation);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal("from B", result.Value.Content[0].Text);
        Assert.Equal("backup", result.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("2", result.Header(GatewayCallHeaders.Attempts));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task A_hung_primary_is_skipped_while_cooling_down_and_is_back_in_rotation_within_30_seconds_of_recovering()
    {
        _a.Responder = _ => FakeReply.Hang();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups("  allowed_fails: 0\n  cooldown_time: 2"));
        await WarmUpAsync(gateway);

        var clock = Stopwatch.StartNew();
        using var first = await gateway.Client.SendAsync(Chat("primary"), Cancellation);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(("backup", "openai"), (first.Header(GatewayCallHeaders.Deployment), first.Header(GatewayCallHeaders.Provider)));

        // Cooling down: the fallback answers without the primary being tried (and waited for) again.
        using var second = await gateway.Client.SendAsync(Chat("primary"), Cancellation);
        Assert.Equal(("backup", "1"), (second.Header(GatewayCallHeaders.Deployment), second.Header(GatewayCallHeaders.Attempts)));
        Assert.Single(_a.Requests);

        _a.Responder = _ => FakeReply.Answer("from A");
        clock.Restart();
        var deployment = string.Empty;
        while (deployment != "primary" && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, Cancellation);
            using var response = await gateway.Client.SendAsync(Chat("primary"), Cancellation);
            deployment = response.Header(GatewayCallHeaders.Deployment);
        }

        Assert.Equal("primary", deployment);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_stream_whose_upstream_sends_headers_then_nothing_falls_back_before_the_caller_sees_a_byte()
    {
        _a.Responder = _ => FakeReply.HangAfterHeaders();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups().Replace("timeout: 1}", "timeout: 30, stream_timeout: 1}", StringComparison.Ordinal));
        await WarmUpAsync(gateway);

        var clock = Stopwatch.StartNew();
        using var response = await gateway.Client.SendAsync(Chat("primary", stream: true), Cancellation);
        var events = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", response.Header(GatewayCallHeaders.Deployment));
        Assert.Contains("from", events, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_upstream_without_fallback_is_a_504_after_its_timeout()
    {
        _a.Responder = _ => FakeReply.Hang();
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups().Replace("fallbacks: [{\"primary\": [\"backup\"]}]", string.Empty, StringComparison.Ordinal));
        await WarmUpAsync(gateway);

        var clock = Stopwatch.StartNew();
        using var response = await gateway.Client.SendAsync(Chat("primary"), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.GatewayTimeout, "server_error", "upstream_timeout");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_wait_its_Retry_After_asks_for()
    {
        _a.Enqueue(FakeReply.Status(429, retryAfter: TimeSpan.FromSeconds(1)));
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups());

        using var response = await gateway.Client.SendAsync(Chat("primary"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", response.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("2", response.Header(GatewayCallHeaders.Attempts));
        var requests = _a.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(Stopwatch.GetElapsedTime(requests[0].ReceivedAt, requests[1].ReceivedAt) >= TimeSpan.FromSeconds(1),
            "The retry reached the upstream before the second its Retry-After asked for.");
        Assert.Empty(_b.Requests);
    }

    [Fact]
    public async Task When_every_attempt_is_rate_limited_the_caller_gets_429_with_the_upstreams_Retry_After()
    {
        _a.Responder = _ => FakeReply.Status(429, retryAfter: TimeSpan.FromSeconds(7));
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, OneGroupTwoDeployments("  num_retries: 0\n  allowed_fails: 100").Replace(_b.ApiBase, _a.ApiBase, StringComparison.Ordinal));

        using var response = await gateway.Client.SendAsync(Chat("chat"), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "requests", "rate_limit_exceeded");
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("1", response.Header(GatewayCallHeaders.Attempts));
    }

    [Fact]
    public async Task Server_errors_are_retried_num_retries_times_then_reported_as_502()
    {
        _a.Responder = _ => FakeReply.Status(500);
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups().Replace("fallbacks: [{\"primary\": [\"backup\"]}]", "allowed_fails: 100", StringComparison.Ordinal));

        using var response = await gateway.Client.SendAsync(Chat("primary"), Cancellation);

        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
        Assert.Equal("3", response.Header(GatewayCallHeaders.Attempts));
        Assert.Equal(3, _a.Requests.Count);
    }

    [Fact]
    public async Task A_deployment_is_cooled_down_after_allowed_fails_and_returns_after_cooldown_time()
    {
        _a.Responder = _ => FakeReply.Status(500);
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, OneGroupTwoDeployments("  allowed_fails: 1\n  cooldown_time: 3\n  num_retries: 1"));

        // More than allowed_fails failures within a minute: each failed call is answered by the other deployment.
        for (var i = 0; i < 100 && _a.Requests.Count < 2; i++)
        {
            using var response = await gateway.Client.SendAsync(Chat("chat"), Cancellation);
            Assert.Equal("deployment-b", response.Header(GatewayCallHeaders.Deployment));
        }

        Assert.Equal(2, _a.Requests.Count);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Deployment deployment-a cooled down for 3 s", StringComparison.Ordinal));

        // Cooling down: not one call reaches it.
        for (var i = 0; i < 10; i++)
        {
            using var response = await gateway.Client.SendAsync(Chat("chat"), Cancellation);
            Assert.Equal("1", response.Header(GatewayCallHeaders.Attempts));
        }

        Assert.Equal(2, _a.Requests.Count);

        // Recovered upstream: after the cooldown a probe call goes through and the deployment is back in rotation.
        _a.Responder = _ => FakeReply.Answer("from A");
        var deadline = Stopwatch.StartNew();
        var servedByA = false;
        while (!servedByA && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var response = await gateway.Client.SendAsync(Chat("chat"), Cancellation);
            servedByA = response.Header(GatewayCallHeaders.Deployment) == "deployment-a";
            await Task.Delay(50, Cancellation);
        }

        Assert.True(servedByA, "The recovered deployment did not get a call within 30 s.");
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Deployment deployment-a answered its probe call and is back in rotation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_with_every_deployment_cooling_down_answers_503_with_Retry_After_without_calling_upstreams()
    {
        _a.Responder = _ => FakeReply.Status(500);
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, TwoGroups("  allowed_fails: 0\n  cooldown_time: 30\n  num_retries: 0").Replace("fallbacks: [{\"primary\": [\"backup\"]}]", string.Empty, StringComparison.Ordinal));

        using var first = await gateway.Client.SendAsync(Chat("primary"), Cancellation);
        using var second = await gateway.Client.SendAsync(Chat("primary"), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(second, HttpStatusCode.ServiceUnavailable, "server_error", "deployments_cooling_down");
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task Least_busy_sends_a_concurrent_call_to_the_idle_deployment()
    {
        _a.Responder = _ => FakeReply.Delayed(TimeSpan.FromSeconds(1), FakeReply.Answer("from A"));
        _b.Responder = _ => FakeReply.Delayed(TimeSpan.FromSeconds(1), FakeReply.Answer("from B"));
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, OneGroupTwoDeployments("  routing_strategy: least-busy"));

        var first = gateway.Client.SendAsync(Chat("chat"), Cancellation);
        for (var i = 0; i < 200 && _a.Requests.Count + _b.Requests.Count == 0; i++)
        {
            await Task.Delay(10, Cancellation);
        }

        var second = gateway.Client.SendAsync(Chat("chat"), Cancellation);
        using var responses = new CompositeDisposable(await Task.WhenAll(first, second));

        Assert.Single(_a.Requests);
        Assert.Single(_b.Requests);
    }

    [Fact]
    public async Task Simple_shuffle_follows_the_weights()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, """
            model_list:
              - {model_name: chat, litellm_params: {model: mock/heavy, weight: 9}, model_info: {id: heavy}}
              - {model_name: chat, litellm_params: {model: mock/light, weight: 1}, model_info: {id: light}}
            """);

        var heavy = 0;
        for (var i = 0; i < 200; i++)
        {
            using var response = await gateway.Client.SendAsync(Chat("chat"), Cancellation);
            heavy += response.Header(GatewayCallHeaders.Deployment) == "heavy" ? 1 : 0;
        }

        // Expected 180 of 200; the bounds are more than seven standard deviations away.
        Assert.InRange(heavy, 150, 199);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _data.Dispose();
    }

    private sealed class CompositeDisposable(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
