using System.Threading.Channels;
using Gateway.Governance.Budgets;
using Gateway.Governance.Leases;
using Gateway.Routing;
using Gateway.Usage;
using Storage.Counters;

namespace Gateway.Governance.Spend;

/// <summary>
/// Settles calls after they end, off the request path: each budget's reservation becomes the actual cost and the
/// parallel-request counts drop — in this replica's live lease on the counter when it has one (no round trip), else in
/// the counters at once, calls that end together in one round trip — while the tokens for the tpm windows and the
/// spend deltas go to the <see cref="SettlementBacklog"/>, which sends them on a short cadence.
/// </summary>
internal sealed partial class CallSettlement(
    CallCosts costs, GovernanceCounters counters, CounterLeases leases, SettlementBacklog backlog, ILogger<CallSettlement> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Channel<Settlement> _queue = Channel.CreateBounded<Settlement>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public void Enqueue(CallGovernance governance, string model, Deployment? servedBy, TokenUsage? usage, DateTimeOffset endedAt)
    {
        var settlement = new Settlement(governance, model, servedBy, usage, endedAt);
        if (!_queue.Writer.TryWrite(settlement))
        {
            // Full (or stopping): settle on the thread pool rather than leave the reservation behind.
            _ = Task.Run(() => SettleAsync([settlement], CancellationToken.None));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Settlement>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var settlement))
                {
                    batch.Add(settlement);
                }

                await SettleAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Whatever ended before the host stops is still settled, so no reservation outlives the process.
        var rest = new List<Settlement>();
        while (_queue.Reader.TryRead(out var settlement))
        {
            rest.Add(settlement);
        }

        if (rest.Count > 0)
        {
            await SettleAsync(rest, cancellationToken);
        }
    }

    private async Task SettleAsync(List<Settlement> batch, CancellationToken cancellationToken)
    {
        var shared = new Dictionary<string, CounterCharge>(StringComparer.Ordinal);
        var local = new Dictionary<string, CounterCharge>(StringComparer.Ordinal);
        var tokensLater = new Dictionary<string, CounterCharge>(StringComparer.Ordinal);
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);
        var softBudgets = new List<SettlementBacklog.SoftBudget>();
        foreach (var settlement in batch)
        {
            var governance = settlement.Governance;
            var actual = settlement.ServedBy is { } deployment && settlement.Usage is { } usage ? costs.ActualNanos(deployment, usage) : 0;
            var tokens = settlement.Usage?.TotalTokens ?? 0;
            var onLocal = governance.ChargedLocally;
            for (var i = 0; i < governance.Charged.Count; i++)
            {
                var limit = governance.Charged[i];
                var charge = governance.Charges[i];
                switch (limit.Kind)
                {
                    case LimitKind.Budget:
                        Settle(onLocal ? local : shared, onLocal, CounterCharge.Value(charge.Key, actual - governance.EstimateNanos, 0, charge.Period));
                        if (limit.Holder.SoftBudgetNanos is not null)
                        {
                            softBudgets.Add(new SettlementBacklog.SoftBudget(limit, charge.Key, onLocal));
                        }

                        break;
                    case LimitKind.Parallel:
                        Settle(onLocal ? local : shared, onLocal, CounterCharge.Value(charge.Key, -1, 0, GovernanceGate.ParallelTtl));
                        break;
                    case LimitKind.Tpm when tokens > 0:
                        // Tokens only hold later calls back: they join the windows with the backlog's next round trip.
                        Merge(onLocal ? local : tokensLater, CounterCharge.Window(charge.Key, tokens, long.MaxValue, Minute));
                        break;
                }
            }

            var dimensions = SpendDimensions.Of(DateOnly.FromDateTime(settlement.EndedAt.UtcDateTime), governance.KeyToken, governance.TeamId,
                governance.UserId, governance.EndUser, settlement.Model);
            Add(deltas, dimensions.Field(SpendDimensions.SpendNanos), actual);
            Add(deltas, dimensions.Field(SpendDimensions.PromptTokens), settlement.Usage?.PromptTokens ?? 0);
            Add(deltas, dimensions.Field(SpendDimensions.CompletionTokens), settlement.Usage?.CompletionTokens ?? 0);
            Add(deltas, dimensions.Field(SpendDimensions.Requests), 1);
            Add(deltas, dimensions.Field(SpendDimensions.FailedRequests), settlement.ServedBy is null ? 1 : 0);
        }

        backlog.Add(tokensLater, deltas, softBudgets);
        try
        {
            // Parallel slots and reservations no lease took go to the counters now: the caller's next call must find them settled.
            await counters.AdjustAsync([.. local.Values], onLocal: true, cancellationToken);
            await counters.AdjustAsync([.. shared.Values], onLocal: false, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSettlementFailed(logger, exception, batch.Count);
        }
    }

    /// <summary>A value's adjustment: into this replica's lease on the counter when it has one that takes it, else to the counters.</summary>
    private void Settle(Dictionary<string, CounterCharge> adjustments, bool onLocal, CounterCharge adjustment)
    {
        if (adjustment.Amount != 0 && (onLocal || !leases.TrySettle(adjustment.Key, adjustment.Amount)))
        {
            Merge(adjustments, adjustment);
        }
    }

    private static void Merge(Dictionary<string, CounterCharge> adjustments, CounterCharge adjustment) =>
        adjustments[adjustment.Key] = adjustments.TryGetValue(adjustment.Key, out var existing)
            ? existing with { Amount = existing.Amount + adjustment.Amount }
            : adjustment;

    private static void Add(Dictionary<string, long> deltas, string field, long amount) =>
        deltas[field] = deltas.GetValueOrDefault(field) + amount;

    private readonly record struct Settlement(CallGovernance Governance, string Model, Deployment? ServedBy, TokenUsage? Usage, DateTimeOffset EndedAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling {Count} call(s) failed; their reservations stay counted until their budget periods end")]
    private static partial void LogSettlementFailed(ILogger logger, Exception exception, int count);
}
