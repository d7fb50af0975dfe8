using System.Runtime.InteropServices;
using System.Text.Json;

namespace TraceIngest.Ingestion;

/// <summary>
/// One request's accepted events in their stored form (the object the blob store keeps and the worker reads),
/// written once into a pooled buffer as they are accepted.
/// </summary>
public sealed class IngestionBatchWriter : IDisposable
{
    public const int FormatVersion = 1;

    private readonly PooledBufferWriter _buffer;
    private readonly Utf8JsonWriter _json;
    private bool _completed;

    public IngestionBatchWriter(string projectId, DateTimeOffset receivedAt, int sizeHint = 0)
    {
        ProjectId = projectId;
        ReceivedAt = receivedAt;
        _buffer = new PooledBufferWriter(sizeHint);
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteNumber("version", FormatVersion);
        _json.WriteString("projectId", projectId);
        _json.WriteString("receivedAt", receivedAt);
        _json.WriteStartArray("events");
    }

    public string ProjectId { get; }

    public DateTimeOffset ReceivedAt { get; }

    public int Count { get; private set; }

    /// <summary>Starts an event; the caller writes its body as one JSON value, then calls <see cref="EndEvent"/>.</summary>
    public Utf8JsonWriter BeginEvent(string eventId, IngestionEventType type, DateTimeOffset timestamp, string entityId)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The batch is complete; it takes no more events");
        }

        _json.WriteStartObject();
        _json.WriteString("eventId", eventId);
        _json.WriteString("type", type.Name);
        _json.WriteString("timestamp", timestamp);
        _json.WriteString("entityId", entityId);
        _json.WritePropertyName("body");
        return _json;
    }

    public void EndEvent()
    {
        _json.WriteEndObject();
        Count++;
    }

    /// <summary>Adds an event whose body is already valid JSON (a parsed element, or bytes this process wrote).</summary>
    public void Add(string eventId, IngestionEventType type, DateTimeOffset timestamp, string entityId, ReadOnlySpan<byte> body)
    {
        BeginEvent(eventId, type, timestamp, entityId).WriteRawValue(body, skipInputValidation: true);
        EndEvent();
    }

    public void Add(IngestionEvent item) =>
        Add(item.EventId, item.Type, item.Timestamp, item.EntityId, JsonMarshal.GetRawUtf8Value(item.Body));

    /// <summary>Closes the document; the batch takes no more events.</summary>
    public ReadOnlyMemory<byte> Complete()
    {
        if (!_completed)
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
            _json.Flush();
            _completed = true;
        }

        return _buffer.WrittenMemory;
    }

    /// <summary>The completed document, to read; valid until Dispose.</summary>
    public Stream OpenRead()
    {
        Complete();
        return _buffer.OpenRead();
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }
}
