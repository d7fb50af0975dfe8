namespace Storage.Tests.TraceStore;

/// <summary>
/// Settings that select each way of reaching the trace store, on a fresh database: chDB in this process, and
/// chDB served over loopback HTTP by a second process, which the driver reaches exactly as a ClickHouse server.
/// </summary>
public sealed class TraceStoreBackends(EmbeddedTraceStore embedded, TraceStoreServerProcess server)
{
    public const string InProcess = "chdb";
    public const string OverHttp = "chdb-over-http";

    public static TheoryData<string> All => [InProcess, OverHttp];

    public Dictionary<string, string?> FreshStore(string backend, string prefix = "contract") => backend switch
    {
        InProcess => embedded.Settings(EmbeddedTraceStore.NewDatabaseName(prefix)),
        OverHttp => server.Settings(EmbeddedTraceStore.NewDatabaseName(prefix)),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
    };

    /// <summary>What the seam reports: over HTTP, the client cannot tell chDB from a ClickHouse server.</summary>
    public static string ReportedImplementation(string backend) => backend == InProcess ? "chdb" : "clickhouse";
}
