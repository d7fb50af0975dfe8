namespace TraceIngest.Worker;

public sealed class IngestionWorkerOptions
{
    public const string SectionName = "Ingestion:Worker";

    /// <summary>Batch references taken from the queue at once; their rows are written together.</summary>
    public int MaxBatchesPerRound { get; set; } = 50;

    /// <summary>How long one receive waits for work before the loop checks for shutdown.</summary>
    public TimeSpan ReceiveWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause after a failed round (a backend down), before the messages are tried again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
