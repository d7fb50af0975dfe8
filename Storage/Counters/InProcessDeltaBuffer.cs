namespace Storage.Counters;

/// <summary>The embedded delta buffer: the same contract as Redis, for one process.</summary>
internal sealed class InProcessDeltaBuffer : IDeltaBuffer
{
    private readonly Lock _gate = new();
    private Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private DeltaBatch? _taken;

    public ValueTask AddAsync(IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (field, delta) in deltas)
            {
                _pending[field] = _pending.GetValueOrDefault(field) + delta;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<DeltaBatch?> TakeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_taken is null && _pending.Count > 0)
            {
                _taken = new DeltaBatch(Guid.CreateVersion7().ToString("N"), _pending);
                _pending = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            return ValueTask.FromResult(_taken);
        }
    }

    public ValueTask CompleteAsync(string batchId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_taken?.Id == batchId)
            {
                _taken = null;
            }
        }

        return ValueTask.CompletedTask;
    }
}
