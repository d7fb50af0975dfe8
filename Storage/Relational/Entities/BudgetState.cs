namespace Storage.Relational.Entities;

/// <summary>A budget that belongs to no entity (the proxy-wide <c>litellm_settings.max_budget</c>): its spend and period.</summary>
public sealed class BudgetState
{
    public const string Global = "global";

    public required string Name { get; init; }

    public double Spend { get; set; }

    public DateTime? BudgetResetAt { get; set; }
}
