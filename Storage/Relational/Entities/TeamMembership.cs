namespace Storage.Relational.Entities;

/// <summary>An internal user's place in a team (LiteLLM's <c>members_with_roles</c>): role <c>admin</c> or <c>user</c>.</summary>
public sealed class TeamMembership
{
    public required string TeamId { get; init; }

    public required string UserId { get; init; }

    public required string Role { get; set; }

    public Team? Team { get; init; }

    public InternalUser? User { get; init; }
}
