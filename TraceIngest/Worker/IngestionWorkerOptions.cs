namespace TraceIngest.Worker;

public sealed class IngestionWorkerOptions
{
    public const string SectionName = "Ingestion:Worker";

    /// <summary>Batch references taken from the queue at once; they are written in rounds bounded by the two settings below.</summary>
    public int MaxBatchesPerRound { get; set; } = 200;

    /// <summary>
    /// Events written together: the batches taken at once are split into rounds of at most this many events and
    /// <see cref="MaxBytesPerRound"/> bytes of stored batches (a batch is never split). Larger rounds cost the trace
    /// store fewer statements and parts per row; the bounds keep a round's documents and rows in memory small.
    /// </summary>
    public int MaxEventsPerRound { get; set; } = 20_000;

    /// <summary>
    /// Bytes of stored batch documents a round holds at most (one batch over it makes a round alone). The next round is
    /// prepared while one is written, so the worker holds at most two rounds' rows.
    /// </summary>
    public long MaxBytesPerRound { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long one receive waits for work before the loop checks for shutdown.</summary>
    public TimeSpan ReceiveWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause after a failed round or receive (a backend down); doubled for each further failure in a row.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between failures in a row.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the worker may go without progress (a round written, or an empty queue) before its health check
    /// reports it unhealthy. Longer than a slow round; a call into the trace store times out after 2 minutes.
    /// </summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(3);
}
