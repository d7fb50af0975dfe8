using System.Text.Json;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Blobs;
using Storage.Queue;

namespace TraceIngest.Ingestion;

/// <summary>
/// The durable hand-off between the API and the worker: a request's accepted events are written as one object to
/// the blob store, and only then is a reference to it queued. When this returns, the events survive any crash;
/// when it throws, the caller answers 503 and the client's retry is harmless (the worker merges by event id).
/// </summary>
public sealed class IngestionBatchStore(IBlobStore blobs, IMessageQueue queue, IngestionMasking masking, IOptions<IngestionOptions> options, TimeProvider clock)
{
    public const int FormatVersion = 1;

    public async Task<IngestionBatchReference> StoreAsync(string projectId, IReadOnlyList<IngestionEvent> events, CancellationToken cancellationToken)
    {
        var receivedAt = clock.GetUtcNow();
        var key = $"ingestion/{BlobKey.Segment(projectId)}/{receivedAt:yyyy/MM/dd/HH}/{Guid.CreateVersion7():N}.json";

        if (masking.Enabled)
        {
            events = events.Select(masking.Apply).ToList();
        }

        using var content = new MemoryStream();
        WriteBatch(content, projectId, receivedAt, events);
        content.Position = 0;
        await blobs.PutAsync(key, content, cancellationToken);

        var reference = new IngestionBatchReference(projectId, key, events.Count, receivedAt);
        try
        {
            await queue.PublishAsync(options.Value.QueueStream, JsonSerializer.SerializeToUtf8Bytes(reference, IngestionJsonContext.Default.IngestionBatchReference), cancellationToken);
        }
        catch (StorageUnavailableException)
        {
            // The caller answers 503 and the client retries; an unreferenced object would only be stored twice.
            await DeleteQuietlyAsync(key);
            throw;
        }

        return reference;
    }

    private async Task DeleteQuietlyAsync(string key)
    {
        try
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }
        catch (StorageUnavailableException)
        {
            // Left for retention to remove: without a queue message the worker never reads it.
        }
    }

    private static void WriteBatch(Stream destination, string projectId, DateTimeOffset receivedAt, IReadOnlyList<IngestionEvent> events)
    {
        using var json = new Utf8JsonWriter(destination);
        json.WriteStartObject();
        json.WriteNumber("version", FormatVersion);
        json.WriteString("projectId", projectId);
        json.WriteString("receivedAt", receivedAt);
        json.WriteStartArray("events");
        foreach (var item in events)
        {
            json.WriteStartObject();
            json.WriteString("eventId", item.EventId);
            json.WriteString("type", item.Type.Name);
            json.WriteString("timestamp", item.Timestamp);
            json.WriteString("entityId", item.EntityId);
            json.WritePropertyName("body");
            item.Body.WriteTo(json);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
