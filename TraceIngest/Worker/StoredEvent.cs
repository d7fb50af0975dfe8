using System.Text.Json;
using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>One event as read back from a stored batch.</summary>
public sealed record StoredEvent(string EventId, IngestionEventType Type, DateTimeOffset Timestamp, string EntityId, JsonElement Body)
{
    /// <summary>Creates before updates, then by time, then by id: the same order on every delivery, so merges repeat exactly.</summary>
    public static IOrderedEnumerable<StoredEvent> InMergeOrder(IEnumerable<StoredEvent> events) =>
        events.OrderBy(e => e.Type.IsUpdate).ThenBy(e => e.Timestamp).ThenBy(e => e.EventId, StringComparer.Ordinal);
}
