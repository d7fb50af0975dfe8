using Storage;
using Storage.Counters;

namespace Gateway.Governance.Spend;

/// <summary>
/// Adds spend deltas to the shared buffer (Redis), or — while it is unreachable — to this replica's own buffer, which
/// the <see cref="SpendFlusher"/> drains the same way: spend is buffered through an outage, never lost to it.
/// </summary>
internal sealed partial class SpendRecorder(
    IDeltaBuffer shared,
    [FromKeyedServices(SharedCountersExtensions.LocalFallback)] IDeltaBuffer local,
    ILogger<SpendRecorder> logger)
{
    private int _sharedDown;

    public async ValueTask RecordAsync(IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken)
    {
        try
        {
            await shared.AddAsync(deltas, cancellationToken);
            if (Interlocked.Exchange(ref _sharedDown, 0) == 1)
            {
                LogSharedBack(logger);
            }
        }
        catch (StorageUnavailableException exception)
        {
            if (Interlocked.Exchange(ref _sharedDown, 1) == 0)
            {
                LogBufferingLocally(logger, exception.Message);
            }

            await local.AddAsync(deltas, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend buffer (Redis) unreachable: spend is buffered on this replica until it is written to the store ({Reason})")]
    private static partial void LogBufferingLocally(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spend buffer (Redis) reachable again")]
    private static partial void LogSharedBack(ILogger logger);
}
