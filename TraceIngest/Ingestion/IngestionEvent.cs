using System.Text.Json;

namespace TraceIngest.Ingestion;

/// <summary>An event that passed validation: its envelope, the entity it writes, and its body as received.</summary>
public sealed record IngestionEvent(
    string EventId,
    IngestionEventType Type,
    DateTimeOffset Timestamp,
    string EntityId,
    JsonElement Body);

/// <summary>Why one event of a batch was refused; the others are unaffected.</summary>
public sealed record IngestionEventError(string Id, int Status, string Message, string Error);
