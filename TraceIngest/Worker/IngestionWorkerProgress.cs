namespace TraceIngest.Worker;

/// <summary>
/// What the ingestion worker's loop last achieved, for its health check: when it last made progress (wrote a
/// round, or found the queue empty, so had nothing to progress on), how many batches it holds unwritten, and
/// whether the loop still runs. A wedged call, a round failing again and again and a loop that ended all show
/// here as progress that stopped.
/// </summary>
public sealed class IngestionWorkerProgress(TimeProvider clock)
{
    private long _lastProgressTicks = clock.GetUtcNow().UtcTicks;
    private long _lastFailureTicks = DateTimeOffset.MinValue.UtcTicks;
    private int _held;
    private int _consecutiveFailures;
    private int _stopped;

    public DateTimeOffset LastProgress => new(Interlocked.Read(ref _lastProgressTicks), TimeSpan.Zero);

    /// <summary>Batches received and neither written nor given up on yet.</summary>
    public int Held => Volatile.Read(ref _held);

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>The loop ended while the host still runs (it only ends early on a defect).</summary>
    public bool Stopped => Volatile.Read(ref _stopped) == 1;

    public TimeSpan SinceProgress => clock.GetUtcNow() - LastProgress;

    /// <summary>
    /// The queue had nothing to give. That is progress unless a round failed within <paramref name="redeliveryAfter"/>
    /// (the queue's visibility timeout): its batches are then not written, only out of sight until delivered again.
    /// </summary>
    internal void Idle(TimeSpan redeliveryAfter)
    {
        if (clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFailureTicks) > redeliveryAfter.Ticks)
        {
            Progressed(held: 0);
        }
    }

    internal void Holding(int batches) => Volatile.Write(ref _held, batches);

    internal void Progressed(int held)
    {
        Volatile.Write(ref _held, held);
        Volatile.Write(ref _consecutiveFailures, 0);
        Interlocked.Exchange(ref _lastProgressTicks, clock.GetUtcNow().UtcTicks);
    }

    internal int Failed()
    {
        Interlocked.Exchange(ref _lastFailureTicks, clock.GetUtcNow().UtcTicks);
        return Interlocked.Increment(ref _consecutiveFailures);
    }

    internal void Stop() => Volatile.Write(ref _stopped, 1);
}
