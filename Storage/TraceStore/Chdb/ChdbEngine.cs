using System.Collections.Concurrent;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// The ClickHouse engine running inside this process on one data directory, with a small pool of
/// connections: each runs one statement at a time, separate ones run in parallel. chDB supports one storage
/// path per process and is meant to start once, so the engine is process-wide and lives until the process
/// exits; hosts built and stopped in the same process (tests, the Standalone host's services) share it.
/// At exit it is stopped in order: left running, its threads race the runtime's teardown and the process
/// dies with SIGSEGV (seen at the end of test runs, intermittently).
/// </summary>
internal sealed class ChdbEngine
{
    private static readonly Lock OpenLock = new();
    private static ChdbEngine? _instance;

    private readonly ConcurrentStack<ChdbConnection> _idle = new();
    private readonly SemaphoreSlim _slots;

    // Never closed and never lent out: closing the last connection shuts the engine down.
    private readonly ChdbConnection _keeper;
    private readonly ChdbStoreLock _storeLock;
    private bool _stopped;

    private ChdbEngine(string dataPath, ChdbStoreLock storeLock, ChdbConnection keeper, string timezone, string version)
    {
        DataPath = dataPath;
        _storeLock = storeLock;
        _keeper = keeper;
        Timezone = timezone;
        Version = version;
        _slots = new SemaphoreSlim(PoolSize, PoolSize);
    }

    /// <summary>How many statements run at once; more callers wait for a free connection.</summary>
    public static int PoolSize { get; } = Math.Clamp(Environment.ProcessorCount, 2, 8);

    public string DataPath { get; }

    /// <summary>The engine's time zone (the host's <c>TZ</c>), reported to clients as a server's would be.</summary>
    public string Timezone { get; }

    public string Version { get; }

    /// <summary>Starts the engine on <paramref name="dataPath"/>, or returns the one this process already runs there.</summary>
    public static ChdbEngine Open(string libraryPath, string dataPath)
    {
        dataPath = Path.GetFullPath(dataPath);
        lock (OpenLock)
        {
            if (_instance is { } running)
            {
                return running.DataPath == dataPath
                    ? running
                    : throw new InvalidOperationException(
                        $"This process already runs the embedded trace store at {running.DataPath}; chDB allows one data directory per process ({dataPath} was asked for).");
            }

            _instance = Start(libraryPath, dataPath);
            return _instance;
        }
    }

    public async ValueTask<ChdbLease> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _stopped))
        {
            _slots.Release();
            throw new ObjectDisposedException(nameof(ChdbEngine), "The embedded trace store stopped: the process is exiting.");
        }

        if (_idle.TryPop(out var connection))
        {
            return new ChdbLease(this, connection);
        }

        try
        {
            return new ChdbLease(this, ChdbConnection.Open(DataPath));
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    internal void Return(ChdbConnection connection)
    {
        if (connection.IsReusable)
        {
            _idle.Push(connection);
        }
        else
        {
            connection.Dispose();
        }

        _slots.Release();
    }

    /// <summary>Waits briefly for statements in flight, closes every connection and joins chDB's threads.</summary>
    private void Stop()
    {
        Volatile.Write(ref _stopped, true);
        var drained = 0;
        while (drained < PoolSize && _slots.Wait(TimeSpan.FromSeconds(5)))
        {
            drained++;
        }

        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }

        // With a statement still running its connection stays open and chDB refuses to stop: exit as before.
        if (drained == PoolSize)
        {
            _keeper.Dispose();
            ChdbNative.Shutdown();
        }

        _storeLock.Dispose();
    }

    private static ChdbEngine Start(string libraryPath, string dataPath)
    {
        ChdbLibrary.Load(libraryPath);
        var storeLock = ChdbStoreLock.Acquire(dataPath);
        try
        {
            Directory.CreateDirectory(dataPath);

            // Before the first connect, or chDB installs process-wide signal handlers and the first managed
            // NullReferenceException (a SIGSEGV the runtime turns into an exception) hangs the process.
            ChdbNative.SetSignalHandlersEnabled(0);

            var keeper = ChdbConnection.Open(dataPath);
            using var about = keeper.Query("SELECT timezone(), version()"u8, "TabSeparated"u8, []);
            var fields = about.OutputText().TrimEnd('\n').Split('\t');
            var engine = new ChdbEngine(dataPath, storeLock, keeper, fields[0], fields[1]);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => engine.Stop();
            return engine;
        }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }
}
