using Gateway.Governance.Budgets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Counters;
using Storage.Relational;

namespace Gateway.Governance.Spend;

/// <summary>
/// Moves buffered spend into the relational store every <see cref="GovernanceOptions.SpendFlushInterval"/>: this
/// replica's own buffer (what accrued while Redis was down), then the shared one. No request writes to the store;
/// while the store is down, spend stays buffered and is written once it is back.
/// </summary>
internal sealed partial class SpendFlusher(
    IDeltaBuffer shared,
    [FromKeyedServices(SharedCountersExtensions.LocalFallback)] IDeltaBuffer local,
    SpendRollupWriter writer,
    BudgetResetter resetter,
    IServiceScopeFactory scopes,
    IOptions<GovernanceOptions> options,
    TimeProvider clock,
    ILogger<SpendFlusher> logger) : FlushingService(options.Value.SpendFlushInterval, clock)
{
    private const int MaxBatchesPerRound = 20;
    private static readonly TimeSpan BatchMemory = TimeSpan.FromDays(7);

    private int _storeDown;
    private DateTimeOffset _lastPrune;

    /// <summary>Writes everything buffered now; a backend that is down leaves its deltas buffered for the next round.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Periods that have ended start afresh before new spend lands in them, so no spend of a new period is reset away.
            await resetter.ResetDueAsync(cancellationToken);
            await DrainAsync(local, cancellationToken);
            await DrainAsync(shared, cancellationToken);
            await PruneBatchIdsAsync(cancellationToken);
            if (Interlocked.Exchange(ref _storeDown, 0) == 1)
            {
                LogStoreBack(logger);
            }
        }
        catch (StorageUnavailableException exception) when (exception.Seam != RelationalStoreExtensions.Seam)
        {
            // Redis is down: this round has nothing shared to take; what accrues goes to the local buffer meanwhile.
        }
        catch (Exception exception) when (exception is StorageUnavailableException || RelationalFailures.IsUnavailable(exception))
        {
            if (Interlocked.Exchange(ref _storeDown, 1) == 0)
            {
                LogStoreDown(logger, exception.Message);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFlushFailed(logger, exception);
        }
    }

    private async Task DrainAsync(IDeltaBuffer buffer, CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxBatchesPerRound && await buffer.TakeAsync(cancellationToken) is { } batch; i++)
        {
            await writer.ApplyAsync(batch, cancellationToken);
            await buffer.CompleteAsync(batch.Id, cancellationToken);
        }
    }

    private async Task PruneBatchIdsAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromHours(1))
        {
            return;
        }

        _lastPrune = now;
        await using var scope = scopes.CreateAsyncScope();
        var before = (now - BatchMemory).UtcDateTime;
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().SpendFlushBatches
            .Where(b => b.FlushedAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relational store unreachable: spend stays buffered and is written when it is back ({Reason})")]
    private static partial void LogStoreDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relational store reachable again: buffered spend written")]
    private static partial void LogStoreBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing buffered spend failed; it stays buffered")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
