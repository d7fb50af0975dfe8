namespace TraceIngest.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Largest request body accepted by the ingestion, scores and OTLP endpoints (Langfuse Cloud: 5 MB).</summary>
    public long MaxRequestBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>The queue stream that carries references to stored batches to the worker.</summary>
    public string QueueStream { get; set; } = "ingestion";

    /// <summary>Deepest JSON nesting accepted in an event (inputs and outputs can be deep; unbounded depth is a denial of service).</summary>
    public int MaxJsonDepth { get; set; } = 256;
}
