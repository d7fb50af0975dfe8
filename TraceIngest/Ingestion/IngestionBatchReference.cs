using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceIngest.Ingestion;

/// <summary>The queue message for one stored batch: where its events are, not the events themselves.</summary>
public sealed record IngestionBatchReference(string ProjectId, string BlobKey, int EventCount, DateTimeOffset ReceivedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestionBatchReference))]
internal sealed partial class IngestionJsonContext : JsonSerializerContext;
