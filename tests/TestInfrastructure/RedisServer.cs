using System.Net.Sockets;
using System.Text;
using Xunit;

namespace TestInfrastructure;

/// <summary>
/// A real Redis server from the machine's Debian binary, on a free loopback port with persistence off,
/// started once per test assembly and stopped by its own process id. Tests may stop and restart it to
/// simulate an outage; the port stays the same.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private TemporaryDirectory? _root;
    private ExternalProcess? _process;

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public async ValueTask InitializeAsync()
    {
        _root = new TemporaryDirectory("redis-test-");
        Port = FreeTcpPort.Next();
        await StartAsync();
    }

    public async Task StartAsync()
    {
        var binary = RequiredBinary.Find("redis-server", "redis-server");
        _process = ExternalProcess.Start(binary, ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _root!.Path]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await PingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}:\n{_process.Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (SIGKILL), as a crash would.</summary>
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
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
