namespace Storage.Relational.Entities;

/// <summary>A LiteLLM team: its keys and members spend against its budget and share its limits.</summary>
public sealed class Team : BudgetedEntity
{
    public required string TeamId { get; init; }

    public string? TeamAlias { get; set; }

    /// <summary>Model groups the team's keys may call; empty means every model.</summary>
    public List<string> Models { get; set; } = [];

    public bool Blocked { get; set; }

    public List<string> Tags { get; set; } = [];

    public List<TeamMembership> Members { get; } = [];
}
