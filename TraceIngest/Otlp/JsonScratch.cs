using System.Buffers;
using System.Text.Json;

namespace TraceIngest.Otlp;

/// <summary>
/// A reusable buffer for one JSON value that must be worked out before its place in the output comes (a root
/// span's input is its trace's too); written once, copied as bytes.
/// </summary>
internal sealed class JsonScratch
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public JsonScratch() => _json = new Utf8JsonWriter(_buffer);

    public Utf8JsonWriter Start()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        return _json;
    }

    public ReadOnlySpan<byte> Written
    {
        get
        {
            _json.Flush();
            return _buffer.WrittenSpan;
        }
    }
}
