using System.Diagnostics;
using System.Net;
using Storage.Governance.Keys;

namespace TraceUi.Tests;

/// <summary>
/// The distributed shape as deployed: TraceUi and the gateway as separate hosts, each with its own data directory,
/// sharing only PostgreSQL and Redis; TraceUi reads the gateway's catalog over its admin route. A key blocked or
/// unblocked in TraceUi reaches the gateway through the Redis announcement, not through a shared process.
/// </summary>
public sealed class RemoteGatewaySharedStoreTests(PostgresServer postgres, RedisServer redis)
    : IClassFixture<PostgresServer>, IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly TemporaryDirectory _gatewayData = new("ui-shared-gateway-");
    private readonly TemporaryDirectory _uiData = new("ui-shared-ui-");
    private TestWebHost _gateway = null!;
    private TestWebHost _ui = null!;
    private BrowserlessClient _browser = null!;

    public async ValueTask InitializeAsync()
    {
        var shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("ui_shared"),
            ["ConnectionStrings:redis"] = redis.ConnectionString,
        };
        _gateway = await UiHost.StartSeparateGatewayAsync(_gatewayData, settings: shared);
        _ui = await UiHost.StartWithRemoteGatewayAsync(_uiData, _gateway, shared);
        _browser = new BrowserlessClient(_ui.BaseAddress);
        await _browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
    }

    [Fact]
    public async Task A_key_blocked_and_unblocked_in_TraceUi_is_refused_and_accepted_by_the_gateway_within_a_second()
    {
        var created = await _browser.PostFormAsync("/gateway/keys", await _browser.GetPageAsync("/gateway/keys"), GatewayForms.CreateKey("shared-store", models: "mock-echo"));
        var secret = GatewayForms.IssuedSecret().Match(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value;
        // Cached by the gateway on a first call, so only the announcement can make it see the change in time.
        using var warm = await GatewayCalls.ChatAsync(_gateway, secret);

        var sinceBlock = await ToggleBlockAsync(secret);
        var blockSeen = await UntilAsync(secret, HttpStatusCode.Unauthorized, sinceBlock);
        var sinceUnblock = await ToggleBlockAsync(secret);
        var unblockSeen = await UntilAsync(secret, HttpStatusCode.OK, sinceUnblock);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.True(blockSeen < TimeSpan.FromSeconds(1), $"Blocking in TraceUi took {blockSeen.TotalMilliseconds} ms to reach the gateway.");
        Assert.True(unblockSeen < TimeSpan.FromSeconds(1), $"Unblocking in TraceUi took {unblockSeen.TotalMilliseconds} ms to reach the gateway.");
    }

    private async Task<long> ToggleBlockAsync(string secret)
    {
        var token = VirtualKeyHasher.Token(secret);
        var page = await _browser.GetPageAsync("/gateway/keys");
        var response = await _browser.PostFormAsync("/gateway/keys", page, new Dictionary<string, string> { ["_handler"] = $"block-{token}", ["Form.Token"] = token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Stopwatch.GetTimestamp();
    }

    private async Task<TimeSpan> UntilAsync(string secret, HttpStatusCode expected, long since)
    {
        while (Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(5))
        {
            using var response = await GatewayCalls.ChatAsync(_gateway, secret);
            if (response.StatusCode == expected)
            {
                return Stopwatch.GetElapsedTime(since);
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return TimeSpan.MaxValue;
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _ui.DisposeAsync();
        await _gateway.DisposeAsync();
        _gatewayData.Dispose();
        _uiData.Dispose();
    }
}
