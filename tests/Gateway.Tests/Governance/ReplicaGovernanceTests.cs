using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using StackExchange.Redis;

namespace Gateway.Tests.Governance;

/// <summary>Two gateway replicas sharing one PostgreSQL database and one Redis, as in the distributed shape.</summary>
public sealed class ReplicaGovernanceTests(RedisServer redis, PostgresServer postgres) : IAsyncLifetime
{
    private readonly TemporaryDirectory _firstData = new();
    private readonly TemporaryDirectory _secondData = new();
    private string _database = string.Empty;
    private string _redis = string.Empty;
    private TestWebHost _first = null!;
    private TestWebHost _second = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync("governance");
        _redis = await IsolatedRedis.ConnectionStringAsync(redis);
        var settings = GovernanceConfig.FastSettings(new Dictionary<string, string?>
        {
            ["ConnectionStrings:projectdb"] = _database,
            ["ConnectionStrings:redis"] = _redis,
        });
        _first = await GatewayHost.StartWithConfigAsync(_firstData, GovernanceConfig.Yaml(), settings);
        _second = await GatewayHost.StartWithConfigAsync(_secondData, GovernanceConfig.Yaml(), settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _firstData.Dispose();
        _secondData.Dispose();
    }

    private TestWebHost Replica(int i) => i % 2 == 0 ? _first : _second;

    private async Task<HttpResponseMessage[]> BurstAsync(int calls, string key, string body = GovernanceConfig.ChatBody)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, calls).Select(async i =>
        {
            await start.WaitAsync(Cancellation);
            return await Replica(i).Client.SendAsync(GovernanceConfig.Chat(key, body), Cancellation);
        }).ToList();
        start.Release(calls);
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task An_rpm_limit_of_60_across_two_replicas_lets_exactly_60_calls_through()
    {
        var key = await _first.GenerateKeyAsync(new JsonObject { ["rpm_limit"] = 60 });

        var responses = await BurstAsync(100, key);

        Assert.Equal(60, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(40, refused.Count);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(refused, r => Assert.InRange(r.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        Assert.True(responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(r => r.RequestMessage!.RequestUri!.Port).Distinct().Count() == 2,
            "Both replicas served calls.");
    }

    [Fact]
    public async Task A_burst_across_replicas_never_spends_more_than_the_budget_allows()
    {
        // Each call reserves and costs exactly $0.01: a $0.10 budget lets exactly ten of a hundred concurrent calls in.
        var exact = await _first.GenerateKeyAsync(new JsonObject { ["max_budget"] = 0.1, ["key_alias"] = "exact" });
        // Here each call reserves $0.02 (max_tokens 20) but costs $0.01: reservations bound the burst, settlement frees the rest.
        var generous = await _first.GenerateKeyAsync(new JsonObject { ["max_budget"] = 0.1, ["key_alias"] = "generous" });
        const string TwentyTokens = """{"model":"chat","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""";

        var exactResponses = await BurstAsync(100, exact);
        var generousResponses = await BurstAsync(100, generous, TwentyTokens);
        var generousServed = generousResponses.Count(r => r.StatusCode == HttpStatusCode.OK);

        Assert.Equal(10, exactResponses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(exactResponses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.InRange(generousServed, 5, 10);
        var exactSpend = await KeySpendAsync(exact, 0.1);
        var generousSpend = await KeySpendAsync(generous, generousServed * GovernanceConfig.CallCost);
        Assert.Equal(0.1, exactSpend, 9);
        Assert.True(generousSpend <= 0.1 + 1e-9, $"Spent {generousSpend} of a 0.1 budget.");
        // With nothing in flight, the next call is refused or fits: spend never passes the budget.
        using var after = await _second.Client.SendAsync(GovernanceConfig.Chat(exact), Cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
    }

    [Fact]
    public async Task Sequential_calls_alternating_replicas_with_max_parallel_1_are_never_refused()
    {
        // The slot a call held must be free on the other replica by the time its caller sends the next call.
        var key = await _first.GenerateKeyAsync(new JsonObject { ["max_parallel_requests"] = 1, ["max_budget"] = 100 });

        for (var i = 0; i < 40; i++)
        {
            using var response = await Replica(i).Client.SendAsync(GovernanceConfig.Chat(key), Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Call {i} was answered {response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }
    }

    private async Task<double> KeySpendAsync(string key, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        double spend;
        do
        {
            await Task.Delay(100, Cancellation);
            spend = (await _second.GetAsync($"/key/info?key={key}")).AssertOk().Body!["info"]!["spend"]!.GetValue<double>();
        }
        while (Math.Abs(spend - expected) > 1e-9 && DateTime.UtcNow < deadline);

        return spend;
    }

    [Fact]
    public async Task Revoking_a_key_on_one_replica_is_effective_on_the_other_within_a_second()
    {
        var deleted = await _first.GenerateKeyAsync();
        var blocked = await _first.GenerateKeyAsync();
        var narrowed = await _first.GenerateKeyAsync(new JsonObject { ["models"] = new JsonArray("chat", "other") });
        foreach (var key in new[] { deleted, blocked, narrowed })
        {
            // Cached on the second replica by a first call.
            using var warm = await _second.Client.SendAsync(GovernanceConfig.Chat(key), Cancellation);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var sinceDelete = await ChangeAsync("/key/delete", new JsonObject { ["keys"] = new JsonArray(deleted) });
        var deleteSeen = await UntilAsync(deleted, HttpStatusCode.Unauthorized, sinceDelete);
        var sinceBlock = await ChangeAsync("/key/block", new JsonObject { ["key"] = blocked });
        var blockSeen = await UntilAsync(blocked, HttpStatusCode.Unauthorized, sinceBlock);
        var sinceNarrow = await ChangeAsync("/key/update", new JsonObject { ["key"] = narrowed, ["models"] = new JsonArray("other") });
        var narrowSeen = await UntilAsync(narrowed, HttpStatusCode.Forbidden, sinceNarrow);

        Assert.True(deleteSeen < TimeSpan.FromSeconds(1), $"Deletion took {deleteSeen.TotalMilliseconds} ms to reach the other replica.");
        Assert.True(blockSeen < TimeSpan.FromSeconds(1), $"Blocking took {blockSeen.TotalMilliseconds} ms to reach the other replica.");
        Assert.True(narrowSeen < TimeSpan.FromSeconds(1), $"Narrowing took {narrowSeen.TotalMilliseconds} ms to reach the other replica.");
    }

    private async Task<long> ChangeAsync(string path, JsonObject body)
    {
        (await _first.PostAsync(path, body)).AssertOk();
        return Stopwatch.GetTimestamp();
    }

    private async Task<TimeSpan> UntilAsync(string key, HttpStatusCode expected, long since)
    {
        while (Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(5))
        {
            using var response = await _second.Client.SendAsync(GovernanceConfig.Chat(key), Cancellation);
            if (response.StatusCode == expected)
            {
                return Stopwatch.GetElapsedTime(since);
            }

            await Task.Delay(20, Cancellation);
        }

        return TimeSpan.MaxValue;
    }

    [Fact]
    public async Task Keys_are_never_stored_or_logged_in_clear()
    {
        (await _first.PostAsync("/team/new", """{"team_id":"secret-keepers"}""")).AssertOk();
        var generated = await _first.GenerateKeyAsync(new JsonObject { ["team_id"] = "secret-keepers", ["user_id"] = "keeper", ["rpm_limit"] = 100 });
        var chosen = await _first.GenerateKeyAsync(new JsonObject { ["key"] = "sk-chosen-by-an-admin-0123456789" });
        var forUser = (await _first.PostAsync("/user/new", """{"user_id":"new-hire"}""")).AssertOk().Body!["key"]!.GetValue<string>();
        var toRotate = await _first.GenerateKeyAsync();
        var rotated = (await _first.PostAsync("/key/regenerate", new JsonObject { ["key"] = toRotate, ["grace_period"] = "1h" })).AssertOk().Body!["key"]!.GetValue<string>();
        string[] keys = [generated, chosen, forUser, toRotate, rotated, "sk-never-issued-but-presented-42"];
        foreach (var key in keys)
        {
            using var viaFirst = await _first.Client.SendAsync(GovernanceConfig.Chat(key), Cancellation);
            using var viaSecond = await _second.Client.SendAsync(GovernanceConfig.Chat(key), Cancellation);
            await _second.GetAsync($"/key/info?key={key}");
        }

        await Task.Delay(500, Cancellation);
        var rows = await AllRowsAsync();
        var logs = _first.Logs.All + "\n" + _second.Logs.All;
        var redisText = await AllRedisAsync();

        Assert.Contains(Token(generated), rows, StringComparison.Ordinal);
        Assert.Contains(Token(rotated), rows, StringComparison.Ordinal);
        foreach (var key in keys)
        {
            Assert.DoesNotContain(key, rows, StringComparison.Ordinal);
            Assert.DoesNotContain(key, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(key, redisText, StringComparison.Ordinal);
        }
    }

    private static string Token(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Every row of every table of the database, as text.</summary>
    private async Task<string> AllRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancellation);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync(Cancellation))
        {
            while (await reader.ReadAsync(Cancellation))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await select.ExecuteReaderAsync(Cancellation);
            while (await reader.ReadAsync(Cancellation))
            {
                text.AppendLine(reader.GetString(0));
            }
        }

        Assert.Contains("virtual_keys", tables);
        return text.ToString();
    }

    /// <summary>Every key name, string, hash field and value of the test's Redis database.</summary>
    private async Task<string> AllRedisAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis);
        var database = connection.GetDatabase();
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var text = new StringBuilder();
        await foreach (var name in server.KeysAsync(database.Database))
        {
            text.AppendLine(name.ToString());
            var type = await database.KeyTypeAsync(name);
            if (type == RedisType.String)
            {
                text.AppendLine(await database.StringGetAsync(name));
            }
            else if (type == RedisType.Hash)
            {
                foreach (var entry in await database.HashGetAllAsync(name))
                {
                    text.AppendLine($"{entry.Name}={entry.Value}");
                }
            }
            else if (type == RedisType.SortedSet)
            {
                foreach (var member in await database.SortedSetRangeByRankAsync(name))
                {
                    text.AppendLine(member.ToString());
                }
            }
        }

        Assert.Contains("gov:key:", text.ToString(), StringComparison.Ordinal);
        return text.ToString();
    }
}
