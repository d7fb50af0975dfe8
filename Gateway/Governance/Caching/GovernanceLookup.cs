using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Governance.Caching;

/// <summary>Keys, teams, users, end users and the proxy-wide budget by id, through the <see cref="GovernanceCache"/>.</summary>
internal sealed class GovernanceLookup(GovernanceCache cache, TimeProvider clock)
{
    /// <summary>The key whose token is <paramref name="token"/>: an active key, or a regenerated key's previous token still in its grace period.</summary>
    public ValueTask<KeySnapshot?> KeyAsync(string token, CancellationToken cancellationToken) =>
        cache.GetAsync(CacheEntries.Key(token), async (db, ct) =>
        {
            if (await db.VirtualKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Token == token, ct) is { } key)
            {
                return KeySnapshot.From(key);
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var previous = await db.DeprecatedVirtualKeys.AsNoTracking().FirstOrDefaultAsync(d => d.Token == token && d.RevokeAt > now, ct);
            return previous is not null && await db.VirtualKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Token == previous.ActiveToken, ct) is { } active
                ? KeySnapshot.From(active, new DateTimeOffset(previous.RevokeAt, TimeSpan.Zero))
                : null;
        }, cancellationToken);

    public ValueTask<TeamSnapshot?> TeamAsync(string teamId, CancellationToken cancellationToken) =>
        cache.GetAsync(CacheEntries.Team(teamId), async (db, ct) =>
            await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.TeamId == teamId, ct) is { } team ? TeamSnapshot.From(team) : null, cancellationToken);

    public ValueTask<UserSnapshot?> UserAsync(string userId, CancellationToken cancellationToken) =>
        cache.GetAsync(CacheEntries.User(userId), async (db, ct) =>
            await db.InternalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.UserId == userId, ct) is { } user ? UserSnapshot.From(user) : null, cancellationToken);

    public ValueTask<EndUserSnapshot?> EndUserAsync(string userId, CancellationToken cancellationToken) =>
        cache.GetAsync(CacheEntries.EndUser(userId), async (db, ct) =>
            await db.EndUsers.AsNoTracking().FirstOrDefaultAsync(e => e.UserId == userId, ct) is { } endUser ? EndUserSnapshot.From(endUser) : null, cancellationToken);

    public ValueTask<BudgetStateSnapshot?> GlobalBudgetAsync(CancellationToken cancellationToken) =>
        cache.GetAsync(CacheEntries.GlobalBudget, async (db, ct) =>
            await db.BudgetStates.AsNoTracking().FirstOrDefaultAsync(s => s.Name == BudgetState.Global, ct) is { } state ? BudgetStateSnapshot.From(state) : null, cancellationToken);
}
