using System.Net.Sockets;
using System.Text;

namespace TestInfrastructure;

/// <summary>
/// A real Redis server from the machine's Debian binary, on a free loopback port with persistence off,
/// started once per test assembly and stopped by its own process id. Tests may stop and restart it to
/// simulate an outage; the port stays the same.
/// </summary>
public sealed class RedisServer : LoopbackServer
{
    /// <summary>StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    protected override Task<ExternalProcess> StartProcessAsync() =>
        ExternalProcess.StartServerAsync(
            RequiredBinary.Find("redis-server", "redis-server"),
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", DataDirectory],
            PingAsync,
            TimeSpan.FromSeconds(30));

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
