namespace Storage.Relational.Entities;

/// <summary>
/// What virtual keys, teams, internal users and end users share: spend in the current budget period, the budget
/// (LiteLLM's <c>max_budget</c> in US dollars, <c>budget_duration</c> such as <c>30d</c>, <c>budget_reset_at</c>)
/// and rate limits. Not an entity of its own: each subclass has these columns in its table.
/// </summary>
public abstract class BudgetedEntity
{
    /// <summary>US dollars spent since the budget last reset (all time without a <see cref="BudgetDuration"/>).</summary>
    public double Spend { get; set; }

    public double? MaxBudget { get; set; }

    public string? BudgetDuration { get; set; }

    public DateTime? BudgetResetAt { get; set; }

    /// <summary>When an admin last set <see cref="Spend"/> directly: budget counters count again from the stored spend after it.</summary>
    public DateTime? SpendSetAt { get; set; }

    public long? TpmLimit { get; set; }

    public long? RpmLimit { get; set; }

    public int? MaxParallelRequests { get; set; }

    /// <summary>Free-form JSON object, kept as text.</summary>
    public string Metadata { get; set; } = "{}";

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
