namespace Storage.Counters;

/// <summary>
/// Integer deltas by field (spend, tokens, requests), summed across every replica until one of them takes them for
/// durable storage. A taken batch stays pending until it is completed, so a flusher that dies mid-way leaves it for
/// the next one; storing a batch must therefore be idempotent by its <see cref="DeltaBatch.Id"/>.
/// </summary>
public interface IDeltaBuffer
{
    ValueTask AddAsync(IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken);

    /// <summary>The batch taken earlier and not completed, else everything added since the last batch; null when nothing is pending.</summary>
    ValueTask<DeltaBatch?> TakeAsync(CancellationToken cancellationToken);

    /// <summary>Forgets the batch once its deltas are stored; a batch that is no longer the pending one is left alone.</summary>
    ValueTask CompleteAsync(string batchId, CancellationToken cancellationToken);
}

public sealed record DeltaBatch(string Id, IReadOnlyDictionary<string, long> Deltas);
