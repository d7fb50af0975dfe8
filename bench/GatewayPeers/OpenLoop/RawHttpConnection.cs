using System.Net;
using System.Net.Sockets;

namespace GatewayPeers.OpenLoop;

/// <summary>One keep-alive HTTP/1.1 connection that sends pre-built request bytes and reads to the end of each response.</summary>
internal sealed class RawHttpConnection(EndPoint endPoint) : IDisposable
{
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];

    public async Task ConnectAsync(CancellationToken cancellation)
    {
        _socket?.Dispose();
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await _socket.ConnectAsync(endPoint, cancellation);
    }

    /// <summary>Sends the request and returns the response's status code once its last byte has arrived.</summary>
    public async Task<int> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellation)
    {
        if (_socket is null)
        {
            await ConnectAsync(cancellation);
        }

        await _socket!.SendAsync(request, SocketFlags.None, cancellation);
        var filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, cancellation);
            filled += read;
            var length = HttpResponseFraming.Measure(_buffer.AsSpan(0, filled), out var status, out var close);
            if (read == 0)
            {
                // The server closed: that ends a response framed by the close, and fails any other.
                Disconnect();
                return length == HttpResponseFraming.UntilClose ? status : throw new IOException("The server closed the connection mid-response.");
            }

            if (length > 0)
            {
                if (close || length != filled)
                {
                    // Closing, or bytes beyond the response (nothing is pipelined here): start clean next time.
                    Disconnect();
                }

                return status;
            }
        }
    }

    public void Dispose() => Disconnect();

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
