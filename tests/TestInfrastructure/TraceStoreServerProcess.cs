using System.Globalization;
using System.Reflection;
using Xunit;

namespace TestInfrastructure;

/// <summary>
/// An embedded (chDB) trace store served over loopback HTTP by a second process (tests/TraceStoreServer), the
/// way a process shares its store; clients reach it with <c>ClickHouse:Endpoint</c>, exactly as a ClickHouse
/// server. Started once per test assembly on a free port, killed by its own process id at the end.
/// </summary>
public sealed class TraceStoreServerProcess : IAsyncLifetime
{
    public static readonly string AssemblyPath = typeof(TraceStoreServerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TraceStoreServerAssembly").Value!;

    private readonly TemporaryDirectory _dataDirectory = new("chdb-server-test-");
    private ExternalProcess? _process;

    public Uri Endpoint { get; private set; } = null!;

    public int? ProcessId => _process?.Id;

    /// <summary>Settings that point a host at this server, on <paramref name="database"/>.</summary>
    public Dictionary<string, string?> Settings(string database) => new()
    {
        ["ClickHouse:Endpoint"] = Endpoint.ToString(),
        ["ClickHouse:Database"] = database,
    };

    /// <summary>Runs the server program with <paramref name="arguments"/> (configuration as <c>--Key value</c>).</summary>
    public static ExternalProcess Start(IEnumerable<string> arguments) =>
        ExternalProcess.Start("dotnet", [AssemblyPath, .. arguments], new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1" }, Path.GetDirectoryName(AssemblyPath));

    public async ValueTask InitializeAsync()
    {
        var port = FreeTcpPort.Next();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _process = Start(["--Storage:DataDirectory", _dataDirectory.Path, "--ClickHouse:EmbeddedHttpPort", port.ToString(CultureInfo.InvariantCulture)]);
        await _process.WaitForOutputAsync("served over HTTP at", TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _dataDirectory.Dispose();
    }
}
