using Microsoft.Extensions.Logging;
using Storage.Invalidation;

namespace Storage.Governance;

/// <summary>
/// Tells every replica's governance cache that keys, teams or users changed, after the change is saved. The caches
/// of this process are told at once (a replica must not serve a blocked key from its own cache while the message
/// travels), every other replica through the <see cref="IInvalidationChannel"/>.
/// </summary>
public sealed partial class GovernanceAnnouncer(IInvalidationChannel channel, ILogger<GovernanceAnnouncer> logger)
{
    private readonly List<Action<string>> _localCaches = [];

    /// <summary>A cache of this process that drops <c>name</c> when told; the gateway's governance cache registers here.</summary>
    public void RegisterLocalCache(Action<string> invalidate)
    {
        lock (_localCaches)
        {
            _localCaches.Add(invalidate);
        }
    }

    public async ValueTask AnnounceAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        Action<string>[] local;
        lock (_localCaches)
        {
            local = [.. _localCaches];
        }

        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            foreach (var invalidate in local)
            {
                invalidate(name);
            }

            try
            {
                await channel.PublishAsync(name, cancellationToken);
            }
            catch (StorageUnavailableException exception)
            {
                LogAnnouncementLost(logger, name, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce the change of {Entry} to other replicas; they see it when their cached copy is next refreshed ({Reason})")]
    private static partial void LogAnnouncementLost(ILogger logger, string entry, string reason);
}
