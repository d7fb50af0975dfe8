using System.Buffers;

namespace Gateway.Providers.Bedrock.EventStream;

/// <summary>
/// Reads event-stream messages off a response body one at a time: each read asks the stream only for what is
/// there, and a message is handed out as soon as it is complete, so nothing waits for the rest of the stream.
/// </summary>
internal sealed class EventStreamReader(Stream body) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(8 * 1024);
    private int _start;
    private int _end;

    /// <summary>The next message, or null at the end of the stream; throws <see cref="EventStreamFormatException"/> on a broken frame.</summary>
    public async ValueTask<EventStreamMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (EventStreamDecoder.TryDecode(_buffer.AsSpan(_start, _end - _start), out var message, out var consumed, out var needed))
            {
                _start += consumed;
                if (_start == _end)
                {
                    _start = _end = 0;
                }

                return message;
            }

            MakeRoom(needed);
            var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return _end == _start ? null : throw new EventStreamFormatException($"event stream ended inside a message ({_end - _start} bytes of {needed})");
            }

            _end += read;
        }
    }

    private void MakeRoom(int needed)
    {
        var pending = _end - _start;
        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }

        var target = _buffer.Length >= needed ? _buffer : ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(_start, pending).CopyTo(target);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _start = 0;
        _end = pending;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
