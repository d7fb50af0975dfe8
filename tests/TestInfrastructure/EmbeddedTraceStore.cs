using System.Diagnostics;
using System.Globalization;

namespace TestInfrastructure;

/// <summary>
/// The embedded (chDB) trace store of this test process. chDB runs one data directory per process, so every
/// host a test starts here shares this one (<c>[assembly: AssemblyFixture(typeof(EmbeddedTraceStore))]</c>)
/// and isolation comes from a fresh database per test.
/// </summary>
public sealed class EmbeddedTraceStore
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "platform-test-chdb");

    public EmbeddedTraceStore()
    {
        // The engine runs until this process exits, and deleting its files under it crashes the process
        // (SIGSEGV at exit), so each run removes the directories of test processes that have ended instead.
        RemoveDirectoriesOfEndedProcesses();
        DataDirectory = Directory.CreateDirectory(Path.Combine(Root, Environment.ProcessId.ToString(CultureInfo.InvariantCulture))).FullName;
    }

    public string DataDirectory { get; }

    /// <summary>Settings that select the embedded store, on <paramref name="database"/>.</summary>
    public Dictionary<string, string?> Settings(string database) => new()
    {
        ["Storage:DataDirectory"] = DataDirectory,
        ["ClickHouse:Database"] = database,
    };

    /// <summary>
    /// Settings for a service host that keeps its other embedded stores in a directory of its own but shares this
    /// process's chDB engine, on <paramref name="database"/>.
    /// </summary>
    public Dictionary<string, string?> ServiceSettings(string database) => new()
    {
        ["ClickHouse:ChdbDataPath"] = Path.Combine(DataDirectory, "chdb"),
        ["ClickHouse:Database"] = database,
    };

    /// <summary>A database name no other test uses (ClickHouse creates databases in milliseconds).</summary>
    public static string NewDatabaseName(string prefix = "test") => $"{prefix}_{Guid.NewGuid():N}";

    private static void RemoveDirectoriesOfEndedProcesses()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(Root))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var processId) && !IsRunning(processId))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
