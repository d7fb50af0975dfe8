namespace Storage.TraceStore;

/// <summary>
/// The <c>ClickHouse</c> section. <c>Endpoint</c> (or <c>ConnectionStrings:clickhouse</c>) selects a ClickHouse
/// server; with neither, the embedded chDB engine keeps the store in <c>{Storage:DataDirectory}/chdb</c>.
/// </summary>
public sealed class TraceStoreOptions
{
    public const string SectionName = "ClickHouse";
    public const string DefaultDatabase = "traces";

    /// <summary>The server's HTTP interface, e.g. <c>http://clickhouse:8123</c>.</summary>
    public string? Endpoint { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string Database { get; set; } = DefaultDatabase;

    /// <summary>A cluster name: migrations run <c>ON CLUSTER</c> it with <c>Replicated…MergeTree</c> engines. Server only.</summary>
    public string? Cluster { get; set; }

    /// <summary>Where <c>libchdb.so</c> is, when not in <c>CHDB_LIBRARY_PATH</c> or the repository's <c>.cache/chdb</c>.</summary>
    public string? ChdbLibraryPath { get; set; }

    /// <summary>Where the embedded engine keeps its data; defaults to <c>{Storage:DataDirectory}/chdb</c>.</summary>
    public string? ChdbDataPath { get; set; }

    /// <summary>Also serve the embedded store on this 127.0.0.1 port, so other processes can share it.</summary>
    public int? EmbeddedHttpPort { get; set; }
}
