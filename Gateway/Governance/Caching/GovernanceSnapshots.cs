using Storage.Relational.Entities;

namespace Gateway.Governance.Caching;

/// <summary>A virtual key as the hot path needs it, read once and cached. <see cref="Token"/> is the active key's token.</summary>
/// <param name="RevokeAt">For a regenerated key's previous token: when its grace period ends.</param>
internal sealed record KeySnapshot(
    string Token,
    string KeyName,
    string? Alias,
    IReadOnlyList<string> Models,
    DateTimeOffset? Expires,
    bool Blocked,
    string? TeamId,
    string? UserId,
    LimitHolder Limits,
    DateTimeOffset? RevokeAt)
{
    public static KeySnapshot From(VirtualKey key, DateTimeOffset? revokeAt = null) => new(
        key.Token,
        key.KeyName,
        key.KeyAlias,
        key.Models,
        key.Expires is { } expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null,
        key.Blocked,
        key.TeamId,
        key.UserId,
        LimitHolder.From(HolderKind.Key, key.Token, key.KeyAlias ?? key.KeyName, key, key.SoftBudget),
        revokeAt);
}

internal sealed record TeamSnapshot(string TeamId, string? Alias, IReadOnlyList<string> Models, bool Blocked, LimitHolder Limits)
{
    public static TeamSnapshot From(Team team) =>
        new(team.TeamId, team.TeamAlias, team.Models, team.Blocked, LimitHolder.From(HolderKind.Team, team.TeamId, team.TeamAlias, team));
}

internal sealed record UserSnapshot(string UserId, IReadOnlyList<string> Models, LimitHolder Limits)
{
    public static UserSnapshot From(InternalUser user) =>
        new(user.UserId, user.Models, LimitHolder.From(HolderKind.User, user.UserId, user.UserAlias, user));
}

internal sealed record EndUserSnapshot(string UserId, bool Blocked, LimitHolder Limits)
{
    public static EndUserSnapshot From(EndUser endUser) =>
        new(endUser.UserId, endUser.Blocked, LimitHolder.From(HolderKind.EndUser, endUser.UserId, endUser.Alias, endUser));
}

internal sealed record BudgetStateSnapshot(double Spend, DateTimeOffset? ResetAt)
{
    public static BudgetStateSnapshot From(BudgetState state) =>
        new(state.Spend, state.BudgetResetAt is { } reset ? new DateTimeOffset(reset, TimeSpan.Zero) : null);
}
