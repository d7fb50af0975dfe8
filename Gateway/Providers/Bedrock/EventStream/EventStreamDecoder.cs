using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Gateway.Providers.Bedrock.EventStream;

/// <summary>
/// Decodes AWS event-stream framing as bytes arrive: a 12-byte prelude (total length, headers length, CRC-32 of
/// the two), the headers, the payload and a CRC-32 of everything before it. <see cref="TryDecode"/> returns one
/// message as soon as its last byte is in and leaves any following bytes for the next call.
/// </summary>
internal static class EventStreamDecoder
{
    public const int PreludeLength = 12;
    private const int MinimumMessageLength = PreludeLength + 4;

    // The service's limits: 16 MB per message, 128 KB of headers.
    public const int MaxMessageLength = 16 * 1024 * 1024;
    private const int MaxHeadersLength = 128 * 1024;

    /// <summary>
    /// Decodes the message at the start of <paramref name="buffer"/>. False when more bytes are needed (then
    /// <paramref name="needed"/> is the length of the whole message once known, else the prelude's length).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out EventStreamMessage? message, out int consumed, out int needed)
    {
        message = null;
        consumed = 0;
        if (buffer.Length < PreludeLength)
        {
            needed = PreludeLength;
            return false;
        }

        var totalLength = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var preludeCrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        if (Crc32.HashToUInt32(buffer[..8]) != preludeCrc)
        {
            throw new EventStreamFormatException("event-stream prelude checksum mismatch");
        }

        if (totalLength < MinimumMessageLength || totalLength > MaxMessageLength)
        {
            throw new EventStreamFormatException($"event-stream message length {totalLength} is outside {MinimumMessageLength}..{MaxMessageLength}");
        }

        if (headersLength > MaxHeadersLength || headersLength > totalLength - MinimumMessageLength)
        {
            throw new EventStreamFormatException($"event-stream headers length {headersLength} does not fit the message");
        }

        needed = (int)totalLength;
        if (buffer.Length < needed)
        {
            return false;
        }

        var frame = buffer[..needed];
        var messageCrc = BinaryPrimitives.ReadUInt32BigEndian(frame[^4..]);
        if (Crc32.HashToUInt32(frame[..^4]) != messageCrc)
        {
            throw new EventStreamFormatException("event-stream message checksum mismatch");
        }

        var headers = ReadHeaders(frame.Slice(PreludeLength, (int)headersLength));
        var payload = frame[(PreludeLength + (int)headersLength)..^4].ToArray();
        message = new EventStreamMessage(headers, payload);
        consumed = needed;
        return true;
    }

    private static List<KeyValuePair<string, object>> ReadHeaders(ReadOnlySpan<byte> bytes)
    {
        var headers = new List<KeyValuePair<string, object>>(4);
        while (!bytes.IsEmpty)
        {
            var nameLength = bytes[0];
            if (nameLength == 0 || bytes.Length < 1 + nameLength + 1)
            {
                throw new EventStreamFormatException("event-stream header name is empty or truncated");
            }

            var name = Encoding.UTF8.GetString(bytes.Slice(1, nameLength));
            var type = bytes[1 + nameLength];
            bytes = bytes[(2 + nameLength)..];
            object value;
            int length;
            switch (type)
            {
                case 0:
                    (value, length) = (true, 0);
                    break;
                case 1:
                    (value, length) = (false, 0);
                    break;
                case 2:
                    Need(bytes, 1);
                    (value, length) = ((sbyte)bytes[0], 1);
                    break;
                case 3:
                    Need(bytes, 2);
                    (value, length) = (BinaryPrimitives.ReadInt16BigEndian(bytes), 2);
                    break;
                case 4:
                    Need(bytes, 4);
                    (value, length) = (BinaryPrimitives.ReadInt32BigEndian(bytes), 4);
                    break;
                case 5:
                    Need(bytes, 8);
                    (value, length) = (BinaryPrimitives.ReadInt64BigEndian(bytes), 8);
                    break;
                case 6 or 7:
                    Need(bytes, 2);
                    var size = BinaryPrimitives.ReadUInt16BigEndian(bytes);
                    Need(bytes, 2 + size);
                    var data = bytes.Slice(2, size);
                    (value, length) = (type == 6 ? data.ToArray() : Encoding.UTF8.GetString(data), 2 + size);
                    break;
                case 8:
                    Need(bytes, 8);
                    (value, length) = (DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes)), 8);
                    break;
                case 9:
                    Need(bytes, 16);
                    (value, length) = (new Guid(bytes[..16], bigEndian: true), 16);
                    break;
                default:
                    throw new EventStreamFormatException($"event-stream header '{name}' has unknown value type {type}");
            }

            headers.Add(new(name, value));
            bytes = bytes[length..];
        }

        return headers;
    }

    private static void Need(ReadOnlySpan<byte> bytes, int length)
    {
        if (bytes.Length < length)
        {
            throw new EventStreamFormatException("event-stream header value is truncated");
        }
    }
}
