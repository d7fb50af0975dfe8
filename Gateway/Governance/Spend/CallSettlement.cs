using System.Globalization;
using System.Threading.Channels;
using Gateway.Governance.Budgets;
using Gateway.Routing;
using Gateway.Usage;
using Storage.Counters;

namespace Gateway.Governance.Spend;

/// <summary>
/// Settles calls after they end, off the request path: each budget's reservation becomes the actual cost, the
/// parallel-request counts drop, the tokens join the tpm windows, and the spend goes to the delta buffer. Calls that
/// end together are settled in one round trip to the counters and one to the buffer.
/// </summary>
internal sealed partial class CallSettlement(
    CallCosts costs, GovernanceCounters counters, SpendRecorder recorder, ILogger<CallSettlement> logger) : BackgroundService
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
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);
        var softBudgets = new List<(ChargedLimit Limit, string Key, bool Local)>();
        foreach (var settlement in batch)
        {
            var governance = settlement.Governance;
            var actual = settlement.ServedBy is { } deployment && settlement.Usage is { } usage ? costs.ActualNanos(deployment, usage) : 0;
            var tokens = settlement.Usage?.TotalTokens ?? 0;
            var adjustments = governance.ChargedLocally ? local : shared;
            for (var i = 0; i < governance.Charged.Count; i++)
            {
                var limit = governance.Charged[i];
                var charge = governance.Charges[i];
                switch (limit.Kind)
                {
                    case LimitKind.Budget:
                        Merge(adjustments, CounterCharge.Value(charge.Key, actual - governance.EstimateNanos, 0, charge.Period));
                        if (limit.Holder.SoftBudgetNanos is not null)
                        {
                            softBudgets.Add((limit, charge.Key, governance.ChargedLocally));
                        }

                        break;
                    case LimitKind.Parallel:
                        Merge(adjustments, CounterCharge.Value(charge.Key, -1, 0, GovernanceGate.ParallelTtl));
                        break;
                    case LimitKind.Tpm when tokens > 0:
                        Merge(adjustments, CounterCharge.Window(charge.Key, tokens, long.MaxValue, Minute));
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

        try
        {
            // Both go to Redis together (pipelined on the one connection), so calls arriving meanwhile wait one round trip, not two.
            var adjusted = counters.AdjustAsync([.. shared.Values], onLocal: false, cancellationToken).AsTask();
            var recorded = recorder.RecordAsync([.. deltas.Where(d => d.Value != 0)], cancellationToken).AsTask();
            await counters.AdjustAsync([.. local.Values], onLocal: true, cancellationToken);
            await Task.WhenAll(adjusted, recorded);
            foreach (var (limit, key, onLocal) in softBudgets.DistinctBy(s => s.Key))
            {
                await AlertOnSoftBudgetAsync(limit, key, onLocal, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSettlementFailed(logger, exception, batch.Count);
        }
    }

    /// <summary>LiteLLM's <c>soft_budget</c>: calls go on, and the crossing is reported once per period (by one replica).</summary>
    private async Task AlertOnSoftBudgetAsync(ChargedLimit limit, string budgetKey, bool onLocal, CancellationToken cancellationToken)
    {
        var soft = limit.Holder.SoftBudgetNanos!.Value;
        if (await counters.GetAsync(budgetKey, onLocal, cancellationToken) is not { } spent || spent < soft)
        {
            return;
        }

        var ttl = GovernanceGate.BudgetTtl(limit.PeriodEnd, DateTimeOffset.UtcNow);
        if (await counters.TryRaiseOnceAsync(budgetKey + ":soft-alerted", ttl, onLocal, cancellationToken))
        {
            LogSoftBudgetCrossed(logger, GovernanceErrors.Describe(limit.Holder.Kind), limit.Holder.Label,
                Usd.ToDollars(spent).ToString("0.######", CultureInfo.InvariantCulture), Usd.ToDollars(soft).ToString("0.######", CultureInfo.InvariantCulture));
        }
    }

    private static void Merge(Dictionary<string, CounterCharge> adjustments, CounterCharge adjustment) =>
        adjustments[adjustment.Key] = adjustments.TryGetValue(adjustment.Key, out var existing)
            ? existing with { Amount = existing.Amount + adjustment.Amount }
            : adjustment;

    private static void Add(Dictionary<string, long> deltas, string field, long amount) =>
        deltas[field] = deltas.GetValueOrDefault(field) + amount;

    private readonly record struct Settlement(CallGovernance Governance, string Model, Deployment? ServedBy, TokenUsage? Usage, DateTimeOffset EndedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} '{Label}' crossed its soft budget: {Spent} USD spent, soft budget {SoftBudget} USD")]
    private static partial void LogSoftBudgetCrossed(ILogger logger, string kind, string label, string spent, string softBudget);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling {Count} call(s) failed; their reservations stay counted until their budget periods end")]
    private static partial void LogSettlementFailed(ILogger logger, Exception exception, int count);
}
