namespace Storage.TraceStore.Chdb;

/// <summary>
/// An exclusive lock on a chDB data directory, held for the life of the process: chDB allows one process per
/// storage path, and this says so plainly (with the way out) instead of the engine's own refusal. The OS drops
/// the lock when the process dies, kill -9 included.
/// </summary>
internal sealed class ChdbStoreLock : IDisposable
{
    private readonly FileStream _file;

    private ChdbStoreLock(FileStream file)
    {
        _file = file;
    }

    public static ChdbStoreLock Acquire(string dataPath)
    {
        var lockPath = dataPath.TrimEnd(Path.DirectorySeparatorChar) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        try
        {
            // FileShare.None takes an advisory flock on Unix, which another process's attempt fails on.
            return new ChdbStoreLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException exception)
        {
            throw new InvalidOperationException(
                $"The embedded trace store at {dataPath} is in use by another process ({lockPath} is locked). " +
                "chDB serves one process per data directory: give this process its own Storage:DataDirectory, or let the " +
                "process that owns the store serve it (ClickHouse:EmbeddedHttpPort) and point this one at it with ClickHouse:Endpoint.",
                exception);
        }
    }

    public void Dispose() => _file.Dispose();
}
