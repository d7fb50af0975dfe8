using System.Reflection;
using System.Runtime.InteropServices;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// Finds chDB's <c>libchdb.so</c> and binds <see cref="ChdbNative"/> to it. The library is too large to ship in
/// the repository; <c>scripts/lib/chdb.sh</c> (run by scripts/run.sh and scripts/test.sh) fetches it into
/// <c>.cache/chdb/&lt;version&gt;/</c>.
/// </summary>
internal static class ChdbLibrary
{
    /// <summary>The npm package version scripts/lib/chdb.sh fetches (<c>CHDB_VERSION</c> there).</summary>
    public const string PackageVersion = "26.7.3-stable.1";

    public const string EnvironmentVariable = "CHDB_LIBRARY_PATH";

    private const string FileName = "libchdb.so";
    private static readonly Lock LoadLock = new();
    private static string? _loadedPath;

    /// <summary>
    /// The configured path, else <c>CHDB_LIBRARY_PATH</c>, else <c>.cache/chdb/&lt;version&gt;/package/libchdb.so</c>
    /// in the application directory or the nearest directory above it that has one (the repository root).
    /// </summary>
    public static string Locate(string? configuredPath, string searchFrom)
    {
        var explicitPath = !string.IsNullOrWhiteSpace(configuredPath) ? configuredPath : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw NotFound($"{explicitPath} (from {(string.IsNullOrWhiteSpace(configuredPath) ? EnvironmentVariable : "ClickHouse:ChdbLibraryPath")}) does not exist");
        }

        var relative = Path.Combine(".cache", "chdb", PackageVersion, "package", FileName);
        for (var directory = new DirectoryInfo(searchFrom); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw NotFound($"no {relative} in {searchFrom} or any directory above it");
    }

    /// <summary>Binds the P/Invoke declarations to <paramref name="path"/>; one library per process.</summary>
    public static void Load(string path)
    {
        lock (LoadLock)
        {
            if (_loadedPath is not null)
            {
                if (_loadedPath != path)
                {
                    throw new InvalidOperationException($"chDB is already loaded from {_loadedPath}; one process uses one library ({path} was asked for).");
                }

                return;
            }

            var handle = NativeLibrary.Load(path);
            NativeLibrary.SetDllImportResolver(typeof(ChdbNative).Assembly, (name, _, _) => name == ChdbNative.LibraryName ? handle : nint.Zero);
            _loadedPath = path;
        }
    }

    private static InvalidOperationException NotFound(string detail) => new(
        $"The embedded trace store needs chDB's {FileName} {PackageVersion}, and {detail}. " +
        "Fetch it with scripts/lib/chdb.sh (`. scripts/lib/chdb.sh && ensure_chdb_engine`, which scripts/run.sh and scripts/test.sh run), " +
        $"or point ClickHouse:ChdbLibraryPath or {EnvironmentVariable} at it, or set ClickHouse:Endpoint to use a ClickHouse server.");
}
