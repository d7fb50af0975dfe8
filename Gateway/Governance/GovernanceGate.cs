using System.Diagnostics;
using Gateway.Apis;
using Gateway.Governance.Budgets;
using Gateway.Governance.Spend;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Telemetry;
using Gateway.Usage;
using Storage.Counters;

namespace Gateway.Governance;

/// <summary>
/// The governance checks of a model call, before and after the upstream: model allow-lists, then one atomic charge of
/// every rate limit (rpm, tpm, parallel requests) and every budget the call counts against — the budgets reserve the
/// call's estimated cost — then, when the call ends, settlement to the actual cost (<see cref="CallSettlement"/>).
/// A burst of concurrent calls can therefore never spend more than its reservations allow.
/// </summary>
internal sealed partial class GovernanceGate
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>How long a parallel-request count outlives its last change: the count of a replica that died mid-call heals by then.</summary>
    internal static readonly TimeSpan ParallelTtl = TimeSpan.FromMinutes(10);

    /// <summary>Waits before each further look at a parallel-request limit that refused a call, within <see cref="ParallelRecheckTime"/> of the first.</summary>
    private static readonly TimeSpan[] ParallelRechecks =
        [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(50),
         TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(150)];

    // The previous call's slot comes back through the settlement queue once its answer has gone out; on a loaded
    // two-core machine (CI) that once took longer than 100 ms, and a caller sending its calls one after another was refused.
    private static readonly TimeSpan ParallelRecheckTime = TimeSpan.FromMilliseconds(500);

    private readonly CallerResolver _callers;
    private readonly CallCosts _costs;
    private readonly GovernanceCounters _counters;
    private readonly CallSettlement _settlement;
    private readonly ModelCatalog _catalog;
    private readonly TimeProvider _clock;
    private readonly CallTelemetry _telemetry;
    private readonly ILogger<GovernanceGate> _logger;
    private readonly Func<Deployment, TokenUsage, double> _dollars;

    public GovernanceGate(CallerResolver callers, CallCosts costs, GovernanceCounters counters, CallSettlement settlement, ModelCatalog catalog,
        TimeProvider clock, CallTelemetry telemetry, ILogger<GovernanceGate> logger)
    {
        _callers = callers;
        _costs = costs;
        _counters = counters;
        _settlement = settlement;
        _catalog = catalog;
        _clock = clock;
        _telemetry = telemetry;
        _logger = logger;
        _dollars = costs.Dollars;
    }

    /// <summary>Null when the call may go to the router (its charges are on <see cref="GatewayCall.Governance"/>), else the refusal.</summary>
    public async ValueTask<OpenAiErrorResult?> AdmitAsync(GatewayCall call)
    {
        call.CostOf = _dollars;
        // Wildcard model names are governed like the groups they resolve to; a name nothing serves is the router's 404.
        if (!_catalog.Current.TryResolve(call.Fields.Model, out var group))
        {
            return null;
        }

        // The end user is the caller's own label: cut to the length the store keeps, so counters and rollups agree.
        var endUser = call.Fields.User is { Length: > SpendDimensions.MaxPartLength } named ? named[..SpendDimensions.MaxPartLength] : call.Fields.User;
        var resolved = await _callers.ResolveAsync(call.Context, call.Fields.Model, string.IsNullOrEmpty(endUser) ? null : endUser, call.Aborted);
        if (resolved.Refusal is { } refusal)
        {
            return refusal;
        }

        var governance = resolved.Governance!;
        call.Governance = governance;
        Tag(governance);
        if (resolved.Holders.Count == 0 || !resolved.Holders.Exists(h => h.HasLimits))
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var estimate = resolved.Holders.Exists(h => h.MaxBudgetNanos is not null || h.SoftBudgetNanos is not null) ? _costs.EstimateNanos(group, call) : 0;
        governance.EstimateNanos = estimate;
        var charges = new List<CounterCharge>(resolved.Holders.Count * 2);
        foreach (var holder in resolved.Holders)
        {
            AddCharges(holder, estimate, now, charges, governance.Charged);
        }

        var chargedAt = _clock.GetTimestamp();
        var outcome = await _counters.TryChargeAsync(charges, governance.Charged, call.Aborted);
        // The caller's previous call gives its slot back after its answer has gone out, so a caller sending its next
        // call at once (here or on another replica) can arrive first: look again for a moment before refusing (not
        // after a charge that already waited for other replicas' leases).
        for (var i = 0; i < ParallelRechecks.Length && IsParallelRefusal(outcome, governance.Charged) && _clock.GetElapsedTime(chargedAt) < ParallelRecheckTime; i++)
        {
            await Task.Delay(ParallelRechecks[i], _clock, call.Aborted);
            outcome = await _counters.TryChargeAsync(charges, governance.Charged, call.Aborted);
        }

        if (outcome.Unavailable)
        {
            governance.Charged.Clear();
            return GovernanceErrors.CountersUnavailable();
        }

        if (!outcome.Result.Admitted)
        {
            var refused = governance.Charged[outcome.Result.Refused];
            governance.Charged.Clear();
            return Refusal(refused, charges[outcome.Result.Refused], outcome.Result, now);
        }

        governance.Charges = outcome.Charged;
        governance.ChargedLocally = outcome.Local;
        if (outcome.Kept is { } kept)
        {
            // Some limits were skipped during a Redis outage (OutageBehaviour.Allow): settle only what was charged.
            var all = governance.Charged.ToList();
            governance.Charged.Clear();
            governance.Charged.AddRange(kept.Select(i => all[i]));
        }

        return null;
    }

    private static bool IsParallelRefusal(ChargeOutcome outcome, List<ChargedLimit> charged) =>
        !outcome.Unavailable && !outcome.Result.Admitted && charged[outcome.Result.Refused].Kind == LimitKind.Parallel;

    /// <summary>Logs and traces a call the checks refused, as the router does for calls that fail upstream.</summary>
    public void Refused(GatewayCall call, OpenAiErrorResult refusal)
    {
        var error = refusal.Value.Error;
        LogRefused(_logger, call.Operation, call.Fields.Model, refusal.StatusCode, error.Type, call.Governance?.KeyAlias ?? call.Governance?.KeyToken);
        _telemetry.Refused(call, refusal.StatusCode, error.Code);
    }

    /// <summary>
    /// Hands an admitted call's actual cost and usage to settlement; never waits on the counters, only (for a call
    /// that ended before its <paramref name="admission"/> was decided) on the charge still under way.
    /// </summary>
    public async ValueTask SettleAsync(GatewayCall call, PendingAdmission admission)
    {
        if (!admission.Decided)
        {
            await admission.WaitOutAsync();
        }

        if (admission.Granted && call.Governance is { } governance)
        {
            _settlement.Enqueue(governance, call.Fields.Model, call.ServedBy, call.Usage, _clock.GetUtcNow());
        }
    }

    private static void AddCharges(LimitHolder holder, long estimate, DateTimeOffset now, List<CounterCharge> charges, List<ChargedLimit> charged)
    {
        AddRateCharges(holder, charges, charged);
        if (holder.MaxBudgetNanos is not null || holder.SoftBudgetNanos is not null)
        {
            var periodEnd = holder.PeriodEnd(now);
            charges.Add(CounterCharge.Value(BudgetKey(holder, periodEnd), estimate, holder.MaxBudgetNanos ?? long.MaxValue, BudgetTtl(periodEnd, now), holder.SeedFor(periodEnd)));
            charged.Add(new ChargedLimit(holder, LimitKind.Budget, periodEnd));
        }
    }

    /// <summary>The holder's rpm, tpm and parallel-request charges for one call.</summary>
    private static void AddRateCharges(LimitHolder holder, List<CounterCharge> charges, List<ChargedLimit> charged)
    {
        if (holder.Rpm is { } rpm)
        {
            charges.Add(CounterCharge.Window(holder.RpmKey, 1, rpm, Minute));
            charged.Add(new ChargedLimit(holder, LimitKind.Rpm, null));
        }

        if (holder.Tpm is { } tpm)
        {
            // Tokens are known only when the call ends: a call is let in while the last minute is under the limit.
            charges.Add(CounterCharge.Window(holder.TpmKey, 0, tpm - 1, Minute));
            charged.Add(new ChargedLimit(holder, LimitKind.Tpm, null));
        }

        if (holder.MaxParallel is { } parallel)
        {
            charges.Add(CounterCharge.Value(holder.ParallelKey, 1, parallel, ParallelTtl));
            charged.Add(new ChargedLimit(holder, LimitKind.Parallel, null));
        }
    }

    /// <summary>
    /// One counter per budget period, so a new period starts from zero on every replica at the same moment; and a new
    /// one when an admin sets the spend, so counting starts again from what was set.
    /// </summary>
    internal static string BudgetKey(LimitHolder holder, DateTimeOffset? periodEnd) =>
        holder.SpendSetAt is { } set
            ? $"{holder.CounterPrefix}:budget:{periodEnd?.ToUnixTimeMilliseconds() ?? 0}:{set.ToUnixTimeMilliseconds()}"
            : $"{holder.CounterPrefix}:budget:{periodEnd?.ToUnixTimeMilliseconds() ?? 0}";

    /// <summary>A period's counter lives a day past its end; a budget that never resets is kept a week after its last change, then seeded again from the store.</summary>
    internal static TimeSpan BudgetTtl(DateTimeOffset? periodEnd, DateTimeOffset now) =>
        periodEnd is { } end ? end - now + TimeSpan.FromDays(1) : TimeSpan.FromDays(7);

    private OpenAiErrorResult Refusal(ChargedLimit limit, CounterCharge charge, ChargeResult result, DateTimeOffset now) => limit.Kind switch
    {
        LimitKind.Budget => GovernanceErrors.BudgetExceeded(limit.Holder, result.Total, limit.PeriodEnd, now),
        LimitKind.Rpm => GovernanceErrors.RateLimited(limit.Holder, LimitKind.Rpm, charge.Limit, result.RetryAfter),
        LimitKind.Tpm => GovernanceErrors.RateLimited(limit.Holder, LimitKind.Tpm, charge.Limit + 1, result.RetryAfter),
        _ => GovernanceErrors.RateLimited(limit.Holder, LimitKind.Parallel, charge.Limit, TimeSpan.FromSeconds(1)),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} {Model} refused with {Status} ({Type}) for key {Key}")]
    private static partial void LogRefused(ILogger logger, OpenAiOperation operation, string model, int status, string type, string? key);

    /// <summary>The caller's identity on the request's span, for the platform's own traces.</summary>
    private static void Tag(CallGovernance governance)
    {
        if (Activity.Current is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        activity.SetTag("gateway.key.token", governance.KeyToken);
        activity.SetTag("gateway.key.alias", governance.KeyAlias);
        activity.SetTag("gateway.team.id", governance.TeamId);
        activity.SetTag("gateway.user.id", governance.UserId);
    }
}
