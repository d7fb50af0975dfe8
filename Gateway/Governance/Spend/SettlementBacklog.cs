using System.Globalization;
using Gateway.Governance.Budgets;
using Gateway.Governance.Leases;
using Microsoft.Extensions.Options;
using Storage.Counters;

namespace Gateway.Governance.Spend;

/// <summary>
/// The part of settlement nothing waits on: tokens for the tpm windows, spend deltas for the buffer, soft budgets to
/// check. Settled calls add to it in memory and it goes to Redis in one pipelined round trip every
/// <see cref="GovernanceOptions.SettlementFlushInterval"/> and when the host stops (which stops settlement first: it
/// was registered after), so a call settled in its replica's leases causes no Redis command of its own.
/// </summary>
internal sealed partial class SettlementBacklog(
    GovernanceCounters counters,
    SpendRecorder recorder,
    CounterLeases leases,
    IOptions<GovernanceOptions> options,
    TimeProvider clock,
    ILogger<SettlementBacklog> logger) : FlushingService(options.Value.SettlementFlushInterval, clock)
{
    private readonly Lock _gate = new();
    private Dictionary<string, CounterCharge> _tokens = new(StringComparer.Ordinal);
    private Dictionary<string, long> _spend = new(StringComparer.Ordinal);
    private Dictionary<string, SoftBudget> _softBudgets = new(StringComparer.Ordinal);

    /// <summary>Adds a batch of settled calls' tokens (windows of the shared counters), spend deltas and soft budgets to check.</summary>
    public void Add(Dictionary<string, CounterCharge> tokens, Dictionary<string, long> spend, List<SoftBudget> softBudgets)
    {
        lock (_gate)
        {
            foreach (var (key, window) in tokens)
            {
                _tokens[key] = _tokens.TryGetValue(key, out var existing) ? existing with { Amount = existing.Amount + window.Amount } : window;
            }

            foreach (var (field, amount) in spend)
            {
                _spend[field] = _spend.GetValueOrDefault(field) + amount;
            }

            foreach (var soft in softBudgets)
            {
                _softBudgets.TryAdd(soft.Key, soft);
            }
        }
    }

    /// <summary>Sends everything held now: tokens and spend together, then the soft-budget checks.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, CounterCharge> tokens;
        Dictionary<string, long> spend;
        Dictionary<string, SoftBudget> softBudgets;
        lock (_gate)
        {
            if (_tokens.Count == 0 && _spend.Count == 0 && _softBudgets.Count == 0)
            {
                return;
            }

            (tokens, _tokens) = (_tokens, new Dictionary<string, CounterCharge>(StringComparer.Ordinal));
            (spend, _spend) = (_spend, new Dictionary<string, long>(StringComparer.Ordinal));
            (softBudgets, _softBudgets) = (_softBudgets, new Dictionary<string, SoftBudget>(StringComparer.Ordinal));
        }

        try
        {
            // Both go out on the one connection before either is awaited: one round trip. The tokens go first, so a
            // flusher that sees this spend in the buffer also sees the tokens in the windows.
            var adjusted = counters.AdjustAsync([.. tokens.Values], onLocal: false, cancellationToken).AsTask();
            var recorded = recorder.RecordAsync([.. spend.Where(d => d.Value != 0)], cancellationToken).AsTask();
            await Task.WhenAll(adjusted, recorded);
            foreach (var soft in softBudgets.Values)
            {
                await AlertOnSoftBudgetAsync(soft, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFlushFailed(logger, exception, spend.Count);
        }
    }

    /// <summary>LiteLLM's <c>soft_budget</c>: calls go on, and the crossing is reported once per period (by one replica).</summary>
    private async Task AlertOnSoftBudgetAsync(SoftBudget budget, CancellationToken cancellationToken)
    {
        var (limit, key, onLocal) = budget;
        if (await counters.GetAsync(key, onLocal, cancellationToken) is not { } counted)
        {
            return;
        }

        // Redis counts this replica's lease on the budget as spent; it is not (yet).
        var spent = onLocal ? counted : counted - leases.HeldUnused(key);
        var soft = limit.Holder.SoftBudgetNanos!.Value;
        if (spent < soft)
        {
            return;
        }

        var ttl = GovernanceGate.BudgetTtl(limit.PeriodEnd, Clock.GetUtcNow());
        if (await counters.TryRaiseOnceAsync(key + ":soft-alerted", ttl, onLocal, cancellationToken))
        {
            LogSoftBudgetCrossed(logger, GovernanceErrors.Describe(limit.Holder.Kind), limit.Holder.Label,
                Usd.ToDollars(spent).ToString("0.######", CultureInfo.InvariantCulture), Usd.ToDollars(soft).ToString("0.######", CultureInfo.InvariantCulture));
        }
    }

    /// <param name="Key">The budget's counter.</param>
    /// <param name="OnLocal">Charged on this replica's own counters (Redis was down).</param>
    internal readonly record struct SoftBudget(ChargedLimit Limit, string Key, bool OnLocal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} '{Label}' crossed its soft budget: {Spent} USD spent, soft budget {SoftBudget} USD")]
    private static partial void LogSoftBudgetCrossed(ILogger logger, string kind, string label, string spent, string softBudget);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing settled tokens and {Count} spend delta(s) failed; the spend stays unrecorded")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
