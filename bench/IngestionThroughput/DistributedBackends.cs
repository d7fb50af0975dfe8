using TestInfrastructure;

/// <summary>
/// The distributed shape on this machine, from the same servers the tests use: PostgreSQL, Redis (the queue), an S3
/// server (npm s3rver) and a ClickHouse HTTP interface (chDB served by a second process).
/// </summary>
internal sealed class DistributedBackends : IAsyncDisposable
{
    private readonly PostgresServer _postgres = new();
    private readonly RedisServer _redis = new();
    private readonly S3Server _s3 = new();
    private readonly TraceStoreServerProcess _clickHouse = new();

    public async Task<Dictionary<string, string?>> StartAsync()
    {
        await Task.WhenAll(_postgres.InitializeAsync().AsTask(), _redis.InitializeAsync().AsTask(), _s3.InitializeAsync().AsTask(), _clickHouse.InitializeAsync().AsTask());
        var settings = _s3.Settings("bench-events");
        foreach (var (key, value) in _clickHouse.Settings("bench"))
        {
            settings[key] = value;
        }

        settings["ConnectionStrings:projectdb"] = await _postgres.CreateDatabaseAsync("bench");
        settings["ConnectionStrings:redis"] = _redis.ConnectionString;
        return settings;
    }

    /// <summary>The servers' processes by what they stand for, to read their CPU time (each with its children).</summary>
    public IEnumerable<(string Name, int ProcessId)> Processes() =>
        new (string Name, int? ProcessId)[]
        {
            ("ClickHouse HTTP interface (chDB server)", _clickHouse.ProcessId),
            ("S3 (s3rver)", _s3.ProcessId),
            ("Redis", _redis.ProcessId),
            ("PostgreSQL", _postgres.ProcessId),
        }.Where(p => p.ProcessId is not null).Select(p => (p.Name, p.ProcessId!.Value));

    public async ValueTask DisposeAsync()
    {
        await _clickHouse.DisposeAsync();
        await _s3.DisposeAsync();
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
