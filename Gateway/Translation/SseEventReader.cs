using System.Buffers;
using System.Text;

namespace Gateway.Translation;

/// <summary>One server-sent event: its <c>event:</c> name (null when it has none) and its <c>data:</c> lines joined.</summary>
internal readonly record struct SseEvent(string? Name, byte[] Data)
{
    public bool IsDone => Data.AsSpan().SequenceEqual("[DONE]"u8);
}

/// <summary>
/// Cuts a byte stream of server-sent events into events as the bytes arrive, whatever the chunking; comments and
/// fields other than <c>event</c> and <c>data</c> are skipped. An unfinished line waits for the next bytes.
/// </summary>
internal sealed class SseEventReader : IDisposable
{
    // A line longer than this is not an event a provider sends; the stream is judged malformed.
    private const int MaxLineBytes = 16 * 1024 * 1024;

    private byte[] _pending = ArrayPool<byte>.Shared.Rent(4096);
    private int _pendingLength;
    private string? _name;
    private ArrayBufferWriter<byte>? _data;
    private bool _hasData;

    /// <summary>Adds bytes and returns the events they complete (often none or one).</summary>
    public List<SseEvent> Read(ReadOnlySpan<byte> bytes)
    {
        var events = new List<SseEvent>();
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            if (end < 0)
            {
                Append(bytes);
                break;
            }

            if (_pendingLength > 0)
            {
                Append(bytes[..end]);
                Line(_pending.AsSpan(0, _pendingLength), events);
                _pendingLength = 0;
            }
            else
            {
                Line(bytes[..end], events);
            }

            bytes = bytes[(end + 1)..];
        }

        return events;
    }

    /// <summary>The event left without its closing blank line when the stream ended, if any.</summary>
    public SseEvent? Finish()
    {
        var events = new List<SseEvent>();
        if (_pendingLength > 0)
        {
            Line(_pending.AsSpan(0, _pendingLength), events);
            _pendingLength = 0;
        }

        Line([], events);
        return events.Count > 0 ? events[0] : null;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_pendingLength + part.Length > MaxLineBytes)
        {
            throw new InvalidDataException("A server-sent event line is longer than the gateway accepts.");
        }

        if (_pendingLength + part.Length > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pending.Length * 2, _pendingLength + part.Length));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        part.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += part.Length;
    }

    private void Line(ReadOnlySpan<byte> line, List<SseEvent> events)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            if (_hasData)
            {
                events.Add(new SseEvent(_name, _data!.WrittenSpan.ToArray()));
            }

            _name = null;
            _data?.ResetWrittenCount();
            _hasData = false;
            return;
        }

        if (line[0] == (byte)':')
        {
            return;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("event"u8))
        {
            _name = Encoding.UTF8.GetString(value);
        }
        else if (field.SequenceEqual("data"u8))
        {
            _data ??= new ArrayBufferWriter<byte>(256);
            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
    }

    public void Dispose()
    {
        if (_pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = [];
        }
    }
}
