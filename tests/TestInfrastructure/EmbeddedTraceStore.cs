namespace TestInfrastructure;

/// <summary>
/// The embedded (chDB) trace store of this test process. chDB runs one data directory per process, so every
/// host a test starts here shares this one (<c>[assembly: AssemblyFixture(typeof(EmbeddedTraceStore))]</c>)
/// and isolation comes from a fresh database per test.
/// </summary>
public sealed class EmbeddedTraceStore : IDisposable
{
    private readonly TemporaryDirectory _dataDirectory = new("chdb-test-");

    public string DataDirectory => _dataDirectory.Path;

    /// <summary>Settings that select the embedded store, on <paramref name="database"/>.</summary>
    public Dictionary<string, string?> Settings(string database) => new()
    {
        ["Storage:DataDirectory"] = DataDirectory,
        ["ClickHouse:Database"] = database,
    };

    /// <summary>A database name no other test uses (ClickHouse creates databases in milliseconds).</summary>
    public static string NewDatabaseName(string prefix = "test") => $"{prefix}_{Guid.NewGuid():N}";

    public void Dispose() => _dataDirectory.Dispose();
}
