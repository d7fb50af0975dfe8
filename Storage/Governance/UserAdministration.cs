using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>Every change to internal users, for the gateway's management API and for TraceUi alike: validated, audited, announced.</summary>
public sealed class UserAdministration(PlatformDbContext db, IGatewayModels models, KeyAdministration keys, GovernanceAnnouncer announcer, TimeProvider clock)
{
    public const string Table = "internal_users";

    public static readonly string[] UserRoles = ["proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer"];

    /// <summary>A new user, with a first key unless <c>auto_create_key</c> is false (LiteLLM's default is to make one).</summary>
    public async Task<(InternalUser User, IssuedKey? Key)> NewAsync(ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var userId = request.String("user_id") ?? Guid.NewGuid().ToString();
        if (await db.InternalUsers.AnyAsync(u => u.UserId == userId, cancellationToken))
        {
            throw new ManagementRequestException($"User id '{userId}' already exists.", "user_id");
        }

        var user = new InternalUser { UserId = userId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
        await ApplyAsync(request, user, now, cancellationToken);
        db.InternalUsers.Add(user);
        actor.Audit(db, "created", Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        var entries = new List<string> { CacheEntries.User(user.UserId) };
        IssuedKey? issued = null;
        if (request.Bool("auto_create_key") ?? true)
        {
            // The user's first key: LiteLLM's key fields that /user/new passes on, the user's own limits stay on the user.
            var keyRequest = new ManagementRequest(new JsonObject
            {
                ["user_id"] = user.UserId,
                ["key_alias"] = request.Body["key_alias"]?.DeepClone(),
                ["duration"] = request.Body["duration"]?.DeepClone(),
            });
            issued = await keys.IssueAsync(keyRequest, actor, now, cancellationToken);
            entries.Add(CacheEntries.Key(issued.Key.Token));
        }

        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(entries, cancellationToken);
        return (user, issued);
    }

    public async Task<InternalUser> UpdateAsync(InternalUser user, ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var before = ManagementJson.User(user);
        var now = clock.GetUtcNow();
        await ApplyAsync(request, user, now, cancellationToken);
        actor.Audit(db, "updated", Table, user.UserId, before, ManagementJson.User(user), now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([CacheEntries.User(user.UserId)], cancellationToken);
        return user;
    }

    /// <summary>Deletes users and their keys; nothing is deleted when any user is unknown.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> ids, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var users = await db.InternalUsers.Include(u => u.Memberships).Where(u => ids.Contains(u.UserId)).ToListAsync(cancellationToken);
        if (ids.Where(id => users.All(u => u.UserId != id)).ToList() is { Count: > 0 } unknown)
        {
            throw new ManagementRequestException($"Unknown user(s): {string.Join(", ", unknown)}; nothing was deleted.", "user_ids");
        }

        var now = clock.GetUtcNow();
        var rows = await db.VirtualKeys.Where(k => k.UserId != null && ids.Contains(k.UserId)).ToListAsync(cancellationToken);
        var entries = await keys.EntriesOfAsync(rows.Select(k => k.Token).ToList(), cancellationToken);
        await keys.DeleteRowsAsync(rows, actor, now, cancellationToken);
        foreach (var user in users)
        {
            actor.Audit(db, "deleted", Table, user.UserId, ManagementJson.User(user), null, now.UtcDateTime);
            entries.Add(CacheEntries.User(user.UserId));
            entries.AddRange(user.Memberships.Select(m => CacheEntries.Team(m.TeamId)));
        }

        db.InternalUsers.RemoveRange(users);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(entries, cancellationToken);
    }

    public async Task<InternalUser> FindAsync(string userId, CancellationToken cancellationToken) =>
        await db.InternalUsers.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.UserId == userId, cancellationToken)
        ?? throw new ManagementRequestException($"User not found: no user has user_id '{userId}'.", "user_id");

    private async Task ApplyAsync(ManagementRequest request, InternalUser user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        request.RejectUnsupported(BudgetFields.Unsupported);
        BudgetFields.Apply(request, user, now);
        if (request.String("user_email") is { } email)
        {
            user.UserEmail = email;
        }

        if (request.String("user_alias") is { } alias)
        {
            user.UserAlias = alias;
        }

        if (request.String("user_role") is { } role)
        {
            user.UserRole = UserRoles.Contains(role)
                ? role
                : throw new ManagementRequestException($"user_role '{role}' is not one of {string.Join(", ", UserRoles)}.", "user_role");
        }

        if (BudgetFields.Models(request, models) is { } allowed)
        {
            user.Models = allowed;
        }

        if (await TeamMembers.TeamsAsync(request, db, cancellationToken) is { } teams)
        {
            user.Memberships.RemoveAll(m => teams.All(t => t.Team.TeamId != m.TeamId));
            foreach (var (team, teamRole) in teams.Where(t => user.Memberships.All(m => m.TeamId != t.Team.TeamId)))
            {
                user.Memberships.Add(new TeamMembership { TeamId = team.TeamId, UserId = user.UserId, Role = teamRole });
            }
        }

        user.UpdatedAt = now.UtcDateTime;
    }
}
