namespace Storage.Relational.Entities;

/// <summary>A batch of spend deltas already stored: a batch handed out twice (its flusher died) is stored once.</summary>
public sealed class SpendFlushBatch
{
    public required string BatchId { get; init; }

    public DateTime FlushedAt { get; init; }
}
