namespace Storage.Invalidation;

/// <summary>
/// Tells every replica that an entry of their in-memory caches is out of date (a key revoked, a team's budget
/// changed). Delivery is at most once: when a replica may have missed messages (its connection was lost) it is
/// told to drop everything it caches.
/// </summary>
public interface IInvalidationChannel
{
    /// <summary>Announces <paramref name="entry"/> to every subscriber of every replica, this one included.</summary>
    ValueTask PublishAsync(string entry, CancellationToken cancellationToken);

    /// <param name="onInvalidated">Called with each announced entry.</param>
    /// <param name="onReset">Called when messages may have been missed: everything cached must go.</param>
    ValueTask SubscribeAsync(Action<string> onInvalidated, Action onReset, CancellationToken cancellationToken);
}
