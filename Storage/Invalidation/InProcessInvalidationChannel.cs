namespace Storage.Invalidation;

/// <summary>The embedded channel: one process, so an announcement reaches every subscriber at once.</summary>
internal sealed class InProcessInvalidationChannel : IInvalidationChannel
{
    private readonly Lock _gate = new();
    private Action<string>[] _subscribers = [];

    public ValueTask PublishAsync(string entry, CancellationToken cancellationToken)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber(entry);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SubscribeAsync(Action<string> onInvalidated, Action onReset, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onInvalidated];
        }

        return ValueTask.CompletedTask;
    }
}
