using Xunit;

namespace TestInfrastructure;

/// <summary>
/// A server process of the test run on a free loopback port with its data in a temporary directory; stopped by
/// its own process id. <see cref="StopAsync"/> kills it (SIGKILL, as a crash would); <see cref="StartAsync"/>
/// brings it back on the same port with the same directory.
/// </summary>
public abstract class LoopbackServer : IAsyncLifetime
{
    private TemporaryDirectory? _root;
    private ExternalProcess? _process;

    public int Port { get; private set; }

    /// <summary>The server's process while it runs (benchmarks read its CPU time from /proc).</summary>
    public int? ProcessId => _process?.Id;

    protected string DataDirectory => _root!.Path;

    public async ValueTask InitializeAsync()
    {
        _root = new TemporaryDirectory($"{GetType().Name.ToLowerInvariant()}-");
        Port = FreeTcpPort.Next();
        await StartAsync();
    }

    public async Task StartAsync() => _process = await StartProcessAsync();

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _root?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract Task<ExternalProcess> StartProcessAsync();
}
