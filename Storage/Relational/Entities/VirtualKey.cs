namespace Storage.Relational.Entities;

/// <summary>A LiteLLM virtual key. The key itself is never stored: <see cref="Token"/> is its SHA-256, in hex.</summary>
public sealed class VirtualKey : BudgetedEntity
{
    public required string Token { get; set; }

    /// <summary>What may be shown of the key, e.g. <c>sk-...3f9a</c>.</summary>
    public required string KeyName { get; set; }

    public string? KeyAlias { get; set; }

    /// <summary>Model groups the key may call; empty means every model its team (if any) may call.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Spend at which an alert is raised; calls are not refused.</summary>
    public double? SoftBudget { get; set; }

    public DateTime? Expires { get; set; }

    public bool Blocked { get; set; }

    public string? TeamId { get; set; }

    public string? UserId { get; set; }

    public List<string> Tags { get; set; } = [];

    public string? CreatedBy { get; set; }

    public string? UpdatedBy { get; set; }

    public Team? Team { get; set; }

    public InternalUser? User { get; set; }
}
