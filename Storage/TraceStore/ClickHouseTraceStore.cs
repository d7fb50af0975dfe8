using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.Compression;
using Storage.TraceStore.Chdb;
using Storage.TraceStore.Chdb.Http;

namespace Storage.TraceStore;

/// <summary>
/// The trace store: ClickHouse through ClickHouse.Driver, on a ClickHouse server or on the embedded chDB engine
/// behind an in-process HTTP handler. Both run the same SQL, the same schema and the same driver calls; only
/// the transport differs, so this one type serves both and needs no interface.
/// </summary>
public sealed class ClickHouseTraceStore : IDisposable
{
    private readonly HttpClient? _embeddedTransport;
    private readonly IClickHouseCompressor? _insertCompressor;

    private ClickHouseTraceStore(ClickHouseClient client, TraceStoreTarget target, string? cluster, IClickHouseCompressor? insertCompressor, ChdbHttpHandler? embeddedHandler = null, HttpClient? embeddedTransport = null)
    {
        Client = client;
        Backend = target.Backend;
        Database = target.Database;
        Cluster = cluster;
        _insertCompressor = insertCompressor;
        EmbeddedHandler = embeddedHandler;
        _embeddedTransport = embeddedTransport;
    }

    /// <summary>The driver's client, configured for this store (thread-safe; share it).</summary>
    public ClickHouseClient Client { get; }

    public StorageBackend Backend { get; }

    /// <summary>The database holding the trace tables.</summary>
    public string Database { get; }

    /// <summary>
    /// The chDB engine in this process, not served to others (<c>ClickHouse:EmbeddedHttpPort</c> unset): every
    /// write to the store comes from this process, so from one ingestion worker.
    /// </summary>
    public bool IsPrivateToProcess { get; private init; }

    internal string? Cluster { get; }

    internal ChdbHttpHandler? EmbeddedHandler { get; }

    /// <summary>An ADO.NET connection on <see cref="Client"/>, for code written against <c>DbConnection</c>.</summary>
    public ClickHouseConnection CreateConnection() => Client.CreateConnection();

    /// <summary>
    /// Bulk-inserts rows in RowBinary, compressed the way this backend wants it: zstd to a server, not at all
    /// in-process, where compressing only costs CPU.
    /// </summary>
    public Task<long> InsertBinaryAsync(string table, IEnumerable<string> columns, IEnumerable<object[]> rows, CancellationToken cancellationToken = default) =>
        Client.InsertBinaryAsync(table, columns, rows, new InsertOptions { Compressor = _insertCompressor }, cancellationToken);

    public void Dispose()
    {
        Client.Dispose();
        _embeddedTransport?.Dispose();
        EmbeddedHandler?.Dispose();
    }

    internal static ClickHouseTraceStore Create(TraceStoreTarget target, TraceStoreOptions options)
    {
        if (!target.IsEmbedded)
        {
            return new ClickHouseTraceStore(new ClickHouseClient(target.ServerConnectionString!), target, NullIfEmpty(options.Cluster), ZstdCompressor.Default);
        }

        var library = ChdbLibrary.Locate(options.ChdbLibraryPath, AppContext.BaseDirectory);
        var engine = ChdbEngine.Open(library, target.ChdbDataPath!);

        // The host name only shapes request URIs; the handler answers them. Compression off: in-process it
        // only costs CPU (gzip of every statement's text otherwise).
        var settings = new ClickHouseConnectionStringBuilder { Host = "chdb", Database = target.Database, Compression = false };
        var handler = new ChdbHttpHandler(engine);
        var transport = new HttpClient(handler, disposeHandler: false) { Timeout = settings.Timeout };
        return new ClickHouseTraceStore(new ClickHouseClient(settings.ConnectionString, transport), target, null, null, handler, transport)
        {
            IsPrivateToProcess = options.EmbeddedHttpPort is null,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
