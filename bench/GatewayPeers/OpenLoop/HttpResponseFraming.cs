using System.Buffers.Text;

namespace GatewayPeers.OpenLoop;

/// <summary>
/// Where one HTTP/1.1 response ends in the bytes read so far (Content-Length, chunked, or until the server closes),
/// so a connection knows when the exchange is over without parsing more than the framing.
/// </summary>
internal static class HttpResponseFraming
{
    /// <summary>A response whose body runs until the server closes the connection.</summary>
    public const int UntilClose = -1;

    /// <summary>The response's length in bytes, 0 while it is incomplete, or <see cref="UntilClose"/>.</summary>
    public static int Measure(ReadOnlySpan<byte> data, out int status, out bool close)
    {
        status = 0;
        close = false;
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return 0;
        }

        var head = data[..headerEnd];
        var firstLineEnd = head.IndexOf("\r\n"u8);
        var statusLine = firstLineEnd < 0 ? head : head[..firstLineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.x response: " + System.Text.Encoding.ASCII.GetString(statusLine));
        }

        long contentLength = -1;
        var chunked = false;
        var headers = firstLineEnd < 0 ? [] : head[(firstLineEnd + 2)..];
        while (!headers.IsEmpty)
        {
            var lineEnd = headers.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? headers : headers[..lineEnd];
            headers = lineEnd < 0 ? [] : headers[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.EqualsIgnoreAsciiCase("content-length"u8))
            {
                Utf8Parser.TryParse(value, out contentLength, out _);
            }
            else if (name.EqualsIgnoreAsciiCase("transfer-encoding"u8))
            {
                chunked = ContainsIgnoreAsciiCase(value, "chunked"u8);
            }
            else if (name.EqualsIgnoreAsciiCase("connection"u8))
            {
                close = ContainsIgnoreAsciiCase(value, "close"u8);
            }
        }

        var bodyStart = headerEnd + 4;
        if (status is 204 or 304 or (>= 100 and < 200))
        {
            return bodyStart;
        }

        if (chunked)
        {
            return ChunkedEnd(data, bodyStart);
        }

        if (contentLength >= 0)
        {
            return bodyStart + contentLength <= data.Length ? (int)(bodyStart + contentLength) : 0;
        }

        close = true;
        return UntilClose;
    }

    private static int ChunkedEnd(ReadOnlySpan<byte> data, int position)
    {
        while (true)
        {
            var lineEnd = data[position..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return 0;
            }

            var sizeField = data.Slice(position, lineEnd);
            var extension = sizeField.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeField : sizeField[..extension], out int size, out _, 'x'))
            {
                throw new InvalidDataException("Bad chunk size in a chunked response.");
            }

            position += lineEnd + 2;
            if (size == 0)
            {
                // Trailer lines, if any, then the empty line that ends the message.
                while (true)
                {
                    var trailerEnd = data[position..].IndexOf("\r\n"u8);
                    if (trailerEnd < 0)
                    {
                        return 0;
                    }

                    position += trailerEnd + 2;
                    if (trailerEnd == 0)
                    {
                        return position;
                    }
                }
            }

            position += size + 2;
            if (position > data.Length)
            {
                return 0;
            }
        }
    }

    private static bool EqualsIgnoreAsciiCase(this ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowercase) =>
        System.Text.Ascii.EqualsIgnoreCase(value, lowercase);

    private static bool ContainsIgnoreAsciiCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowercase)
    {
        for (var i = 0; i + lowercase.Length <= value.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(value.Slice(i, lowercase.Length), lowercase))
            {
                return true;
            }
        }

        return false;
    }
}
