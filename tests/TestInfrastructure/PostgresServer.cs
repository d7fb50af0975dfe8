using Npgsql;
using Xunit;

namespace TestInfrastructure;

/// <summary>
/// A real PostgreSQL server from the machine's Debian binaries, in a temporary directory on a free loopback
/// port, started once per test assembly (<c>[assembly: AssemblyFixture(typeof(PostgresServer))]</c>) and
/// stopped by its own pg_ctl at the end. Durability is switched off: tests want speed, not crash safety.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private TemporaryDirectory? _root;
    private string _binDirectory = string.Empty;

    public int Port { get; private set; }

    /// <summary>The postmaster's process id (its first line of <c>postmaster.pid</c>), while the server runs.</summary>
    public int? ProcessId =>
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid")) && int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), out var pid) ? pid : null;

    private string DataDirectory => _root!.Combine("data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    /// <summary>Creates an empty database for one test class (or test) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix.Length, 30);
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask InitializeAsync()
    {
        _binDirectory = RequiredBinary.PostgresBinDirectory();
        _root = new TemporaryDirectory("postgres-test-");
        Port = FreeTcpPort.Next();

        if (RequiredBinary.RunningAsRoot)
        {
            // initdb refuses to run as root; the cluster belongs to the postgres user the Debian package creates.
            await ExternalProcess.RunAsync("chown", ["-R", "postgres:postgres", _root.Path], CommandTimeout);
        }

        await RunAsServerUserAsync("initdb", ["-D", DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
        await StartAsync();
    }

    /// <summary>Starts (or restarts, after <see cref="StopAsync"/>) the server on the same port and data.</summary>
    public Task StartAsync() =>
        RunAsServerUserAsync("pg_ctl", [
            "-D", DataDirectory, "-l", _root!.Combine("server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root.Path} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        ]);

    /// <summary>
    /// Stops the server as an outage would look to clients (connections dropped, nothing answers), but cleanly: the
    /// server runs with <c>synchronous_commit=off</c> for speed, so an immediate stop could lose the last commits.
    /// </summary>
    public Task StopAsync() => RunAsServerUserAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a test.
        }

        _root.Dispose();
    }

    private Task<string> RunAsServerUserAsync(string binary, string[] arguments)
    {
        var path = Path.Combine(_binDirectory, binary);
        return RequiredBinary.RunningAsRoot
            ? ExternalProcess.RunAsync(RequiredBinary.Find("runuser", "util-linux"), ["-u", "postgres", "--", path, .. arguments], CommandTimeout)
            : ExternalProcess.RunAsync(path, arguments, CommandTimeout);
    }
}
