using System.Buffers;

namespace Gateway.Usage;

/// <summary>
/// Watches an OpenAI server-sent-event stream go by and keeps the last <c>usage</c> it carries, without holding
/// the stream back: bytes are only scanned for line ends, and only <c>data:</c> lines that mention usage are parsed.
/// </summary>
internal sealed class SseUsageObserver : IDisposable
{
    // A usage chunk is small; longer lines are content, never parsed, so the carry-over buffer stays bounded.
    private const int MaxLineBytes = 64 * 1024;

    private byte[]? _line;
    private int _lineLength;
    private bool _skipLine;

    public TokenUsage? Usage { get; private set; }

    /// <summary>When the first bytes went by (<see cref="System.Diagnostics.Stopwatch"/> ticks), 0 before.</summary>
    public long FirstBytesAt { get; private set; }

    public void Observe(ReadOnlySpan<byte> bytes)
    {
        if (FirstBytesAt == 0 && !bytes.IsEmpty)
        {
            FirstBytesAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end < 0 ? bytes : bytes[..end];
            if (_lineLength == 0 && end >= 0 && !_skipLine)
            {
                Inspect(part);
            }
            else
            {
                Append(part);
                if (end >= 0)
                {
                    if (!_skipLine)
                    {
                        Inspect(_line.AsSpan(0, _lineLength));
                    }

                    _lineLength = 0;
                    _skipLine = false;
                }
            }

            if (end < 0)
            {
                return;
            }

            _skipLine = false;
            bytes = bytes[(end + 1)..];
        }
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_skipLine)
        {
            return;
        }

        if (_lineLength + part.Length > MaxLineBytes)
        {
            _skipLine = true;
            _lineLength = 0;
            return;
        }

        if (_line is null || _line.Length < _lineLength + part.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(1024, _lineLength + part.Length));
            _line?.AsSpan(0, _lineLength).CopyTo(larger);
            if (_line is not null)
            {
                ArrayPool<byte>.Shared.Return(_line);
            }

            _line = larger;
        }

        part.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += part.Length;
    }

    private void Inspect(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("data:"u8) || line.IndexOf("\"usage\""u8) < 0)
        {
            return;
        }

        var payload = line[5..].Trim((byte)' ').TrimEnd((byte)'\r');
        if (UsageJson.TryRead(payload, out var usage) && usage is not null)
        {
            Usage = usage;
        }
    }

    public void Dispose()
    {
        if (_line is not null)
        {
            ArrayPool<byte>.Shared.Return(_line);
            _line = null;
        }
    }
}
