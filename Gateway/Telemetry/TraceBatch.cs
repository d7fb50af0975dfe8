using System.Buffers;
using System.Text.Json;

namespace Gateway.Telemetry;

/// <summary>A Langfuse ingestion batch (<c>{"batch":[…]}</c>) being written call by call, one buffer reused for every batch.</summary>
internal sealed class TraceBatch(string? environment)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter? _writer;

    public int Events { get; private set; }

    public int Calls { get; private set; }

    public void Add(GatewayCallRecord call)
    {
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
            _writer.WriteStartObject();
            _writer.WriteStartArray("batch"u8);
        }

        Events += GatewayTraceEvents.Write(_writer, call, environment);
        Calls++;
    }

    /// <summary>The finished payload and how many calls it holds; the batch starts empty again.</summary>
    public (byte[] Payload, int Calls) Finish()
    {
        var writer = _writer!;
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        var result = (_buffer.WrittenSpan.ToArray(), Calls);
        writer.Dispose();
        _writer = null;
        _buffer.ResetWrittenCount();
        Events = 0;
        Calls = 0;
        return result;
    }
}
