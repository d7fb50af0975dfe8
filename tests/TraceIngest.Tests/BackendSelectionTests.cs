using System.Text.Json;

namespace TraceIngest.Tests;

public sealed class BackendSelectionTests(PostgresServer postgres, RedisServer redis, S3Server s3) : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    private static async Task<Dictionary<string, string>> BackendsAsync(TestWebHost host)
    {
        using var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health", TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        return health.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.TryGetProperty("data", out var data) && data.TryGetProperty("backend", out _))
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("data").GetProperty("backend").GetString()!);
    }

    [Fact]
    public async Task With_no_connection_strings_every_seam_is_embedded()
    {
        await using var host = await TraceIngestHost.StartAsync(new Dictionary<string, string?> { ["Storage:DataDirectory"] = _data.Path });

        var backends = await BackendsAsync(host);

        Assert.Equal("sqlite", backends["relational"]);
        Assert.Equal("in-process", backends["queue"]);
        Assert.Equal("local-directory", backends["blob"]);
    }

    [Fact]
    public async Task Connection_strings_select_postgres_redis_and_s3_and_health_checks_each()
    {
        var settings = s3.Settings("trace-events");
        settings["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("ingest");
        settings["ConnectionStrings:redis"] = redis.ConnectionString;
        await using var host = await TraceIngestHost.StartAsync(settings);

        var backends = await BackendsAsync(host);

        Assert.Equal("postgresql", backends["relational"]);
        Assert.Equal("redis", backends["queue"]);
        Assert.Equal("s3", backends["blob"]);
        Assert.Contains(host.Logs.Lines, line => line.Contains("Storage seam blob uses s3", StringComparison.Ordinal));
        Assert.DoesNotContain(S3Server.SecretKey, string.Join('\n', host.Logs.Lines.Where(l => l.Contains("Storage seam", StringComparison.Ordinal))), StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
