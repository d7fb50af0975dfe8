using Gateway.Configuration;
using Gateway.Governance.Budgets;
using Storage.Relational.Entities;

namespace Gateway.Governance;

/// <summary>Who a limit belongs to; the name appears in counter keys, error messages and spend rollups.</summary>
internal enum HolderKind
{
    Key,
    Team,
    User,
    EndUser,
    Policy,
    Global,
}

/// <summary>
/// One party whose budget and rate limits a call counts against — a virtual key, its team, its user, the end user
/// named in the call, an Entra ID caller's policy, or the whole proxy — as read from the store or configuration.
/// </summary>
/// <param name="Label">How messages name the holder: its alias, else its id.</param>
/// <param name="StoredSpendNanos">Spend the store held for the period of <paramref name="StoredResetAt"/> when this was read.</param>
internal sealed record LimitHolder(
    HolderKind Kind,
    string Id,
    string Label,
    long? MaxBudgetNanos,
    long? SoftBudgetNanos,
    BudgetDuration? Duration,
    DateTimeOffset? StoredResetAt,
    long StoredSpendNanos,
    long? Rpm,
    long? Tpm,
    int? MaxParallel,
    DateTimeOffset? SpendSetAt = null)
{
    /// <summary>The start of every counter key of this holder, e.g. <c>gov:team:t-1</c>.</summary>
    public string CounterPrefix { get; } = $"gov:{KindName(Kind)}:{Id}";

    // Built once per holder rather than once per call.
    public string RpmKey => field ??= CounterPrefix + ":rpm";

    public string TpmKey => field ??= CounterPrefix + ":tpm";

    public string ParallelKey => field ??= CounterPrefix + ":parallel";

    public bool HasLimits => MaxBudgetNanos is not null || SoftBudgetNanos is not null || Rpm is not null || Tpm is not null || MaxParallel is not null;

    public static string KindName(HolderKind kind) => kind switch
    {
        HolderKind.Key => "key",
        HolderKind.Team => "team",
        HolderKind.User => "user",
        HolderKind.EndUser => "end_user",
        HolderKind.Policy => "policy",
        _ => "global",
    };

    public static LimitHolder From(HolderKind kind, string id, string? alias, BudgetedEntity entity, double? softBudget = null) => new(
        kind,
        id,
        string.IsNullOrEmpty(alias) ? id : alias,
        entity.MaxBudget is { } max ? Usd.ToNanos(max) : null,
        softBudget is { } soft ? Usd.ToNanos(soft) : null,
        BudgetPeriods.Parse(entity.BudgetDuration),
        entity.BudgetResetAt is { } reset ? new DateTimeOffset(reset, TimeSpan.Zero) : null,
        Usd.ToNanos(entity.Spend),
        entity.RpmLimit,
        entity.TpmLimit,
        entity.MaxParallelRequests,
        entity.SpendSetAt is { } set ? new DateTimeOffset(set, TimeSpan.Zero) : null);

    /// <summary>The end of the budget period containing <paramref name="now"/>, or null for a budget that never resets.</summary>
    public DateTimeOffset? PeriodEnd(DateTimeOffset now) =>
        Duration is { } duration && StoredResetAt is { } stored ? BudgetPeriods.CurrentEnd(stored, duration, now) : null;

    /// <summary>Spend already recorded in the period ending at <paramref name="periodEnd"/>: none once the stored period is over.</summary>
    public long SeedFor(DateTimeOffset? periodEnd) => periodEnd is null || periodEnd == StoredResetAt ? StoredSpendNanos : 0;
}
