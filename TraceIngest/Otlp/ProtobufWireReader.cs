using System.Buffers.Binary;
using System.Text;

namespace TraceIngest.Otlp;

internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// Reads the protobuf wire format (tags, varints, fixed-width and length-delimited fields) straight from the
/// request's bytes: nested messages are slices of the same buffer, never copies.
/// </summary>
internal ref struct ProtobufWireReader(ReadOnlySpan<byte> message)
{
    private const int MaxGroupDepth = 32;
    private readonly ReadOnlySpan<byte> _message = message;
    private int _position;
    private int _groupDepth;

    /// <summary>The next field's number and wire type; false at the end of the message.</summary>
    public bool Next(out int field, out WireType type)
    {
        if (_position >= _message.Length)
        {
            (field, type) = (0, default);
            return false;
        }

        var tag = ReadVarint();
        if (tag >> 3 is 0 or > int.MaxValue)
        {
            throw Invalid("a field number out of range");
        }

        (field, type) = ((int)(tag >> 3), (WireType)(tag & 7));
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _message.Length)
            {
                throw Truncated();
            }

            var next = _message[_position++];
            result |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return result;
            }
        }

        throw Invalid("a varint longer than 10 bytes");
    }

    public ulong ReadFixed64()
    {
        if (_message.Length - _position < 8)
        {
            throw Truncated();
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_message[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_message.Length - _position))
        {
            throw Truncated();
        }

        var value = _message.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    /// <summary>UTF-8 text; invalid sequences become U+FFFD, as protobuf runtimes decode them.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadLengthDelimited());

    /// <summary>Skips the field just read; unknown fields are how newer exporters stay compatible.</summary>
    public void Skip(int field, WireType type)
    {
        switch (type)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Advance(8);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                Advance(4);
                break;
            case WireType.StartGroup:
                if (++_groupDepth > MaxGroupDepth)
                {
                    throw Invalid("groups nested too deep");
                }

                while (true)
                {
                    if (!Next(out var inner, out var innerType))
                    {
                        throw Truncated();
                    }

                    if (innerType == WireType.EndGroup)
                    {
                        if (inner != field)
                        {
                            throw Invalid("a group that ends with another field's number");
                        }

                        _groupDepth--;
                        return;
                    }

                    Skip(inner, innerType);
                }

            default:
                throw Invalid($"wire type {(int)type} on field {field}");
        }
    }

    private void Advance(int bytes)
    {
        if (_message.Length - _position < bytes)
        {
            throw Truncated();
        }

        _position += bytes;
    }

    private static OtlpFormatException Truncated() => new("Invalid OTLP protobuf: a message ends in the middle of a field");

    private static OtlpFormatException Invalid(string what) => new($"Invalid OTLP protobuf: {what}");
}
