using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceIngest.Ingestion;

/// <summary>
/// The queue message for one stored batch: where its events are, not the events themselves. <paramref name="Bytes"/>
/// is the stored document's size (0 in messages queued before it was recorded).
/// </summary>
public sealed record IngestionBatchReference(string ProjectId, string BlobKey, int EventCount, DateTimeOffset ReceivedAt, long Bytes = 0);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestionBatchReference))]
internal sealed partial class IngestionJsonContext : JsonSerializerContext;
