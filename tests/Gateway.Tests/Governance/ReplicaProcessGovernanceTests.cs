using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Governance;

/// <summary>
/// Two gateway processes sharing one PostgreSQL database and one Redis, nothing else: no static state, cache or
/// timer of one can help the other, so what holds here holds for replicas on two machines.
/// </summary>
public sealed class ReplicaProcessGovernanceTests(RedisServer redis, PostgresServer postgres) : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new("gateway-replicas-");
    private GatewayProcess _first = null!;
    private GatewayProcess _second = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var config = _data.Combine("config.yaml");
        await File.WriteAllTextAsync(config, GovernanceConfig.Yaml(), Cancellation);
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__projectdb"] = await postgres.CreateDatabaseAsync("replica_processes"),
            ["ConnectionStrings__redis"] = await IsolatedRedis.ConnectionStringAsync(redis),
            ["Gateway__Governance__SpendFlushInterval"] = "00:00:00.200",
        };
        // One after the other: the second finds the schema migrated (starting together is covered by the store's tests).
        _first = await GatewayProcess.StartAsync(config, Directory.CreateDirectory(_data.Combine("first")).FullName, environment);
        _second = await GatewayProcess.StartAsync(config, Directory.CreateDirectory(_data.Combine("second")).FullName, environment);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _data.Dispose();
    }

    private static HttpRequestMessage Chat(string key) => GatewayClients.Post("/v1/chat/completions", GovernanceConfig.ChatBody, key);

    private static async Task<string> GenerateKeyAsync(GatewayProcess gateway, JsonObject fields)
    {
        using var response = await AdminAsync(gateway, "/key/generate", fields);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body["key"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> AdminAsync(GatewayProcess gateway, string path, JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.MasterKey);
        return gateway.Client.SendAsync(request, Cancellation);
    }

    [Fact]
    public async Task Limits_budgets_and_revocations_hold_across_two_gateway_processes()
    {
        // rpm 60 across both: exactly 60 of 100 concurrent calls, split between the processes, get through.
        var limited = await GenerateKeyAsync(_first, new JsonObject { ["rpm_limit"] = 60 });
        var rpmResponses = await BurstAsync(100, limited);
        Assert.Equal(60, rpmResponses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(rpmResponses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));

        // Each call costs exactly $0.01: a $0.10 budget lets exactly ten of a hundred concurrent calls through.
        var budgeted = await GenerateKeyAsync(_first, new JsonObject { ["max_budget"] = 0.1 });
        var budgetResponses = await BurstAsync(100, budgeted);
        Assert.Equal(10, budgetResponses.Count(r => r.StatusCode == HttpStatusCode.OK));

        // Blocking on the first process is seen by the second within a second.
        var revoked = await GenerateKeyAsync(_first, []);
        using (var warm = await _second.Client.SendAsync(Chat(revoked), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using (var block = await AdminAsync(_first, "/key/block", new JsonObject { ["key"] = revoked }))
        {
            Assert.Equal(HttpStatusCode.OK, block.StatusCode);
        }

        var blockedAt = Stopwatch.GetTimestamp();
        var seen = TimeSpan.MaxValue;
        while (Stopwatch.GetElapsedTime(blockedAt) < TimeSpan.FromSeconds(5))
        {
            using var response = await _second.Client.SendAsync(Chat(revoked), Cancellation);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                seen = Stopwatch.GetElapsedTime(blockedAt);
                break;
            }

            await Task.Delay(20, Cancellation);
        }

        Assert.True(seen < TimeSpan.FromSeconds(1), $"Blocking took {seen.TotalMilliseconds} ms to reach the other process.");
    }

    private async Task<HttpResponseMessage[]> BurstAsync(int calls, string key)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, calls).Select(async i =>
        {
            await start.WaitAsync(Cancellation);
            return await (i % 2 == 0 ? _first : _second).Client.SendAsync(Chat(key), Cancellation);
        }).ToList();
        start.Release(calls);
        return await Task.WhenAll(tasks);
    }
}
