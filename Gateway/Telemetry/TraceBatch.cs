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

    /// <summary>
    /// The finished payload and how many calls it holds; the batch starts empty again. The payload is the batch's own
    /// buffer, not a copy (a batch of a few hundred calls would be a large-object allocation each time): it stays
    /// valid until the next <see cref="Add"/>.
    /// </summary>
    public (ReadOnlyMemory<byte> Payload, int Calls) Finish()
    {
        var writer = _writer!;
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        var result = (_buffer.WrittenMemory, Calls);
        writer.Dispose();
        _writer = null;
        // Only the count is reset: the bytes stay in place for the caller until the next call is written.
        _buffer.ResetWrittenCount();
        Events = 0;
        Calls = 0;
        return result;
    }
}
