namespace Storage.Relational.Entities;

/// <summary>
/// A LiteLLM internal user (<c>/user/new</c>): owns keys, belongs to teams, has a budget and limits. Not a person who
/// signs in to TraceUi (<see cref="PlatformUser"/>).
/// </summary>
public sealed class InternalUser : BudgetedEntity
{
    public required string UserId { get; init; }

    public string? UserEmail { get; set; }

    public string? UserAlias { get; set; }

    /// <summary><c>proxy_admin</c>, <c>proxy_admin_viewer</c>, <c>internal_user</c> or <c>internal_user_viewer</c>.</summary>
    public string UserRole { get; set; } = "internal_user";

    public List<string> Models { get; set; } = [];

    public List<TeamMembership> Memberships { get; } = [];
}
