using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace TestInfrastructure;

/// <summary>
/// Writes AWS event-stream frames (<c>application/vnd.amazon.eventstream</c>) as Bedrock sends them: a prelude with
/// the total and headers lengths and their CRC-32, string headers (type 7), the payload, and a CRC-32 of it all.
/// </summary>
public static class EventStreamEncoder
{
    private const byte StringHeader = 7;

    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload)
    {
        var headerBytes = new List<byte>();
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headerBytes.Add((byte)nameBytes.Length);
            headerBytes.AddRange(nameBytes);
            headerBytes.Add(StringHeader);
            headerBytes.Add((byte)(valueBytes.Length >> 8));
            headerBytes.Add((byte)valueBytes.Length);
            headerBytes.AddRange(valueBytes);
        }

        var total = 12 + headerBytes.Count + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headerBytes.Count);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.HashToUInt32(frame.AsSpan(0, 8)));
        headerBytes.CopyTo(frame, 12);
        payload.CopyTo(frame.AsSpan(12 + headerBytes.Count));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32.HashToUInt32(frame.AsSpan(0, total - 4)));
        return frame;
    }

    /// <summary>An <c>event</c> message of type <paramref name="eventType"/> with a JSON payload.</summary>
    public static byte[] Event(string eventType, string json) => Encode(
        [new(":event-type", eventType), new(":content-type", "application/json"), new(":message-type", "event")], Encoding.UTF8.GetBytes(json));

    /// <summary>An <c>exception</c> message, as ConverseStream reports errors after its 200 (<c>throttlingException</c>, …).</summary>
    public static byte[] Exception(string exceptionType, string message) => Encode(
        [new(":exception-type", exceptionType), new(":content-type", "application/json"), new(":message-type", "exception")],
        Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { message })));
}
