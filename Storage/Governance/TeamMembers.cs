using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>
/// LiteLLM's <c>members_with_roles</c> (<c>[{"role": "admin"|"user", "user_id", "user_email"}]</c>) and a user's
/// <c>teams</c>: memberships of internal users, created when the store does not know the user yet, as LiteLLM does.
/// </summary>
public static class TeamMembers
{
    public static readonly string[] Roles = ["admin", "user"];

    /// <summary>The members a request lists, each resolved to an internal user (found by id or email, or created).</summary>
    public static async Task<List<(InternalUser User, string Role, bool Created)>> ResolveAsync(
        ManagementRequest request, PlatformDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var members = new List<(InternalUser, string, bool)>();
        if (request.Body["members_with_roles"] is not { } node)
        {
            return members;
        }

        if (node is not JsonArray array)
        {
            throw new ManagementRequestException("members_with_roles must be a list of {role, user_id, user_email}.", "members_with_roles");
        }

        foreach (var item in array)
        {
            if (item is not JsonObject member)
            {
                throw new ManagementRequestException("members_with_roles must be a list of {role, user_id, user_email}.", "members_with_roles");
            }

            var fields = new ManagementRequest(member);
            var role = fields.String("role") ?? "user";
            if (!Roles.Contains(role))
            {
                throw new ManagementRequestException($"members_with_roles: role '{role}' is not one of admin, user.", "members_with_roles");
            }

            var userId = fields.String("user_id");
            var email = fields.String("user_email");
            if (userId is null && email is null)
            {
                throw new ManagementRequestException("members_with_roles: each member needs a user_id or a user_email.", "members_with_roles");
            }

            var user = userId is not null
                ? await FindAsync(db, u => u.UserId == userId, cancellationToken)
                : await FindAsync(db, u => u.UserEmail == email, cancellationToken);
            var created = user is null;
            if (user is null)
            {
                user = new InternalUser { UserId = userId ?? Guid.NewGuid().ToString(), UserEmail = email, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
                db.InternalUsers.Add(user);
            }

            members.Add((user, role, created));
        }

        return members;
    }

    /// <summary>A user's <c>teams</c>: team ids, or LiteLLM's <c>[{"team_id", "user_role"}]</c>; every team must exist.</summary>
    public static async Task<List<(Team Team, string Role)>?> TeamsAsync(ManagementRequest request, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (request.Body["teams"] is not { } node)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            throw new ManagementRequestException("teams must be a list of team ids.", "teams");
        }

        var teams = new List<(Team, string)>();
        foreach (var item in array)
        {
            var (teamId, role) = item switch
            {
                JsonValue value when value.GetValueKind() == JsonValueKind.String => (value.GetValue<string>(), "user"),
                JsonObject entry => (new ManagementRequest(entry).RequiredString("team_id"), new ManagementRequest(entry).String("user_role") ?? "user"),
                _ => throw new ManagementRequestException("teams must be a list of team ids.", "teams"),
            };
            if (!Roles.Contains(role))
            {
                throw new ManagementRequestException($"teams: user_role '{role}' is not one of admin, user.", "teams");
            }

            var team = await db.Teams.FirstOrDefaultAsync(t => t.TeamId == teamId, cancellationToken)
                ?? throw new ManagementRequestException($"teams: team '{teamId}' does not exist.", "teams");
            teams.Add((team, role));
        }

        return teams;
    }

    private static async Task<InternalUser?> FindAsync(PlatformDbContext db, System.Linq.Expressions.Expression<Func<InternalUser, bool>> match, CancellationToken cancellationToken) =>
        db.InternalUsers.Local.AsQueryable().FirstOrDefault(match) ?? await db.InternalUsers.FirstOrDefaultAsync(match, cancellationToken);
}
