using System.Runtime.InteropServices;
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
    /// <summary>A batch for a request to write its accepted events into, then hand to <see cref="StoreAsync(IngestionBatchWriter, CancellationToken)"/>.</summary>
    public IngestionBatchWriter CreateBatch(string projectId, int sizeHint = 0) => new(projectId, clock.GetUtcNow(), sizeHint);

    public async Task<IngestionBatchReference> StoreAsync(string projectId, IReadOnlyList<IngestionEvent> events, CancellationToken cancellationToken)
    {
        var size = 256;
        foreach (var item in events)
        {
            size += JsonMarshal.GetRawUtf8Value(item.Body).Length + 256;
        }

        using var batch = CreateBatch(projectId, size);
        foreach (var item in events)
        {
            batch.Add(masking.Enabled ? masking.Apply(item) : item);
        }

        return await PutAsync(batch, cancellationToken);
    }

    /// <summary>Stores a batch its caller wrote, masked first when masking rules are configured.</summary>
    public async Task<IngestionBatchReference> StoreAsync(IngestionBatchWriter batch, CancellationToken cancellationToken)
    {
        if (!masking.Enabled)
        {
            return await PutAsync(batch, cancellationToken);
        }

        var content = batch.Complete();
        // The events sit three levels down (batch, events, event), as deep as the API accepted them.
        using var written = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = options.Value.MaxJsonDepth + 3 });
        using var masked = new IngestionBatchWriter(batch.ProjectId, batch.ReceivedAt, content.Length + 4096);
        foreach (var item in written.RootElement.GetProperty("events").EnumerateArray())
        {
            masked.Add(masking.Apply(new IngestionEvent(
                item.GetProperty("eventId").GetString()!,
                IngestionEventType.Find(item.GetProperty("type").GetString()!)!,
                item.GetProperty("timestamp").GetDateTimeOffset(),
                item.GetProperty("entityId").GetString()!,
                item.GetProperty("body"))));
        }

        return await PutAsync(masked, cancellationToken);
    }

    private async Task<IngestionBatchReference> PutAsync(IngestionBatchWriter batch, CancellationToken cancellationToken)
    {
        var key = $"ingestion/{BlobKey.Segment(batch.ProjectId)}/{batch.ReceivedAt:yyyy/MM/dd/HH}/{Guid.CreateVersion7():N}.json";
        long bytes;
        await using (var content = batch.OpenRead())
        {
            bytes = content.Length;
            await blobs.PutAsync(key, content, cancellationToken);
        }

        var reference = new IngestionBatchReference(batch.ProjectId, key, batch.Count, batch.ReceivedAt, bytes);
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
}
