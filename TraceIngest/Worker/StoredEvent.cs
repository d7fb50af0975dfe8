using System.Text.Json;
using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>One event as read back from a stored batch.</summary>
public sealed record StoredEvent(string EventId, IngestionEventType Type, DateTimeOffset Timestamp, string EntityId, JsonElement Body)
{
    /// <summary>Creates before updates, then by time, then by id: the same order on every delivery, so merges repeat exactly.</summary>
    public static IEnumerable<StoredEvent> InMergeOrder(IEnumerable<StoredEvent> events) =>
        // Most entities get one event per round: nothing to order, and sorting one costs its buffers and key arrays.
        events.TryGetNonEnumeratedCount(out var count) && count <= 1
            ? events
            : events.OrderBy(e => e.Type.IsUpdate).ThenBy(e => e.Timestamp).ThenBy(e => e.EventId, StringComparer.Ordinal);
}
