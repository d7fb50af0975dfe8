using Microsoft.EntityFrameworkCore;
using Storage.Governance.Keys;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>Every change to teams, for the gateway's management API and for TraceUi alike: validated, audited, announced.</summary>
public sealed class TeamAdministration(PlatformDbContext db, IGatewayModels models, KeyAdministration keys, GovernanceAnnouncer announcer, TimeProvider clock)
{
    public const string Table = "teams";

    public async Task<Team> NewAsync(ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var teamId = request.String("team_id") ?? Guid.NewGuid().ToString();
        if (await db.Teams.AnyAsync(t => t.TeamId == teamId, cancellationToken))
        {
            throw new ManagementRequestException($"Team id '{teamId}' already exists.", "team_id");
        }

        var team = new Team { TeamId = teamId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
        Apply(request, team, now);
        db.Teams.Add(team);
        foreach (var (user, role, created) in await TeamMembers.ResolveAsync(request, db, now, cancellationToken))
        {
            if (created)
            {
                actor.Audit(db, "created", UserAdministration.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
            }

            team.Members.Add(new TeamMembership { TeamId = team.TeamId, UserId = user.UserId, Role = role, User = user });
        }

        actor.Audit(db, "created", Table, team.TeamId, null, ManagementJson.Team(team), now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([CacheEntries.Team(team.TeamId)], cancellationToken);
        return team;
    }

    public async Task<Team> UpdateAsync(string teamId, ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var team = await FindAsync(teamId, cancellationToken);
        var before = ManagementJson.Team(team);
        var now = clock.GetUtcNow();
        Apply(request, team, now);
        actor.Audit(db, "updated", Table, team.TeamId, before, ManagementJson.Team(team), now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([CacheEntries.Team(team.TeamId)], cancellationToken);
        return team;
    }

    /// <summary>Deletes teams and their keys, as LiteLLM does; nothing is deleted when any team is unknown.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> ids, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var teams = await db.Teams.Include(t => t.Members).ThenInclude(m => m.User).Where(t => ids.Contains(t.TeamId)).ToListAsync(cancellationToken);
        if (ids.Where(id => teams.All(t => t.TeamId != id)).ToList() is { Count: > 0 } unknown)
        {
            throw new ManagementRequestException($"Unknown team(s): {string.Join(", ", unknown)}; nothing was deleted.", "team_ids");
        }

        var now = clock.GetUtcNow();
        var rows = await db.VirtualKeys.Where(k => k.TeamId != null && ids.Contains(k.TeamId)).ToListAsync(cancellationToken);
        var entries = await keys.EntriesOfAsync(rows.Select(k => k.Token).ToList(), cancellationToken);
        await keys.DeleteRowsAsync(rows, actor, now, cancellationToken);
        foreach (var team in teams)
        {
            actor.Audit(db, "deleted", Table, team.TeamId, ManagementJson.Team(team), null, now.UtcDateTime);
            entries.Add(CacheEntries.Team(team.TeamId));
        }

        db.Teams.RemoveRange(teams);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(entries, cancellationToken);
    }

    public async Task<Team> SetBlockedAsync(string teamId, bool blocked, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var team = await FindAsync(teamId, cancellationToken);
        var before = ManagementJson.Team(team);
        var now = clock.GetUtcNow().UtcDateTime;
        team.Blocked = blocked;
        team.UpdatedAt = now;
        actor.Audit(db, blocked ? "blocked" : "unblocked", Table, team.TeamId, before, ManagementJson.Team(team), now);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([CacheEntries.Team(team.TeamId)], cancellationToken);
        return team;
    }

    public async Task<Team> FindAsync(string teamId, CancellationToken cancellationToken) =>
        await db.Teams.Include(t => t.Members).ThenInclude(m => m.User).FirstOrDefaultAsync(t => t.TeamId == teamId, cancellationToken)
        ?? throw new ManagementRequestException($"Team not found: no team has team_id '{teamId}'.", "team_id");

    private void Apply(ManagementRequest request, Team team, DateTimeOffset now)
    {
        request.RejectUnsupported(BudgetFields.Unsupported);
        BudgetFields.Apply(request, team, now);
        if (request.String("team_alias") is { } alias)
        {
            team.TeamAlias = alias;
        }

        if (BudgetFields.Models(request, models) is { } allowed)
        {
            team.Models = allowed.Where(m => m != ModelAccess.AllTeamModels).ToList();
        }

        if (request.Bool("blocked") is { } blocked)
        {
            team.Blocked = blocked;
        }

        if (request.StringList("tags") is { } tags)
        {
            team.Tags = tags;
        }

        team.UpdatedAt = now.UtcDateTime;
    }
}
