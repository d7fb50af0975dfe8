using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance.Caching;
using Gateway.Governance.Keys;
using Gateway.Governance.Management;
using Gateway.Routing;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's team management: <c>/team/new</c>, <c>/team/info</c>, <c>/team/list</c>, <c>/team/update</c>,
/// <c>/team/delete</c> (which deletes the team's keys, as LiteLLM does), <c>/team/block</c>, <c>/team/unblock</c>.
/// Admins only; audited; announced to every replica.
/// </summary>
public static class TeamManagementApi
{
    internal const string Table = "teams";

    public static IEndpointRouteBuilder MapTeamManagementApi(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/team")
            .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
            .AddEndpointFilter<ManagementErrorFilter>()
            .WithTags("Team management");
        teams.MapPost("/new", NewAsync);
        teams.MapGet("/info", InfoAsync);
        teams.MapGet("/list", ListAsync);
        teams.MapPost("/update", UpdateAsync);
        teams.MapPost("/delete", DeleteAsync);
        teams.MapPost("/block", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: true));
        teams.MapPost("/unblock", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: false));
        return app;
    }

    internal static async Task<IResult> NewAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var now = clock.GetUtcNow();
        var teamId = request.String("team_id") ?? Guid.NewGuid().ToString();
        if (await db.Teams.AnyAsync(t => t.TeamId == teamId, context.RequestAborted))
        {
            throw new ManagementRequestException($"Team id '{teamId}' already exists.", "team_id");
        }

        var team = new Team { TeamId = teamId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
        Apply(request, team, catalog, now);
        db.Teams.Add(team);
        foreach (var (user, role, created) in await TeamMembers.ResolveAsync(request, db, now, context.RequestAborted))
        {
            if (created)
            {
                ManagementCaller.Audit(db, context, "created", UserManagementApi.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
            }

            team.Members.Add(new TeamMembership { TeamId = team.TeamId, UserId = user.UserId, Role = role, User = user });
        }

        ManagementCaller.Audit(db, context, "created", Table, team.TeamId, null, ManagementJson.Team(team), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.Team(team.TeamId)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Team(team));
    }

    internal static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, string? team_id = null)
    {
        var team = await FindAsync(db, team_id ?? throw new ManagementRequestException("team_id is required.", "team_id"), context.RequestAborted);
        var keys = await db.VirtualKeys.AsNoTracking().Where(k => k.TeamId == team.TeamId).OrderBy(k => k.CreatedAt).ToListAsync(context.RequestAborted);
        return ManagementJson.Result(new JsonObject
        {
            ["team_id"] = team.TeamId,
            ["team_info"] = ManagementJson.Team(team),
            ["keys"] = new JsonArray(keys.Select(k => (JsonNode)ManagementJson.Key(k)).ToArray()),
            ["team_memberships"] = new JsonArray(team.Members.Select(m => (JsonNode)new JsonObject
            {
                ["team_id"] = m.TeamId,
                ["user_id"] = m.UserId,
                ["role"] = m.Role,
            }).ToArray()),
        });
    }

    internal static async Task<IResult> ListAsync(PlatformDbContext db, string? user_id = null)
    {
        var query = db.Teams.AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User).AsQueryable();
        query = user_id is null ? query : query.Where(t => t.Members.Any(m => m.UserId == user_id));
        var teams = await query.OrderBy(t => t.CreatedAt).ThenBy(t => t.TeamId).ToListAsync();
        return ManagementJson.Result(new JsonArray(teams.Select(t => (JsonNode)ManagementJson.Team(t)).ToArray()));
    }

    internal static async Task<IResult> UpdateAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var team = await FindAsync(db, request.RequiredString("team_id"), context.RequestAborted);
        var before = ManagementJson.Team(team);
        var now = clock.GetUtcNow();
        Apply(request, team, catalog, now);
        ManagementCaller.Audit(db, context, "updated", Table, team.TeamId, before, ManagementJson.Team(team), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.Team(team.TeamId)], context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["team_id"] = team.TeamId, ["data"] = ManagementJson.Team(team) });
    }

    internal static async Task<IResult> DeleteAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var ids = request.Ids("team_ids") is { Count: > 0 } given ? given : throw new ManagementRequestException("team_ids is required.", "team_ids");
        var teams = await db.Teams.Include(t => t.Members).ThenInclude(m => m.User).Where(t => ids.Contains(t.TeamId)).ToListAsync(context.RequestAborted);
        if (ids.Where(id => teams.All(t => t.TeamId != id)).ToList() is { Count: > 0 } unknown)
        {
            throw new ManagementRequestException($"Unknown team(s): {string.Join(", ", unknown)}; nothing was deleted.", "team_ids");
        }

        var now = clock.GetUtcNow();
        var keys = await db.VirtualKeys.Where(k => k.TeamId != null && ids.Contains(k.TeamId)).ToListAsync(context.RequestAborted);
        var entries = await KeyManagementApi.EntriesOfAsync(db, keys.Select(k => k.Token).ToList(), context.RequestAborted);
        await KeyManagementApi.DeleteRowsAsync(db, context, keys, now, context.RequestAborted);
        foreach (var team in teams)
        {
            ManagementCaller.Audit(db, context, "deleted", Table, team.TeamId, ManagementJson.Team(team), null, now.UtcDateTime);
            entries.Add(CacheEntries.Team(team.TeamId));
        }

        db.Teams.RemoveRange(teams);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(entries, context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_teams"] = ManagementJson.Strings(ids) });
    }

    private static async Task<IResult> SetBlockedAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock, bool blocked)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var team = await FindAsync(db, request.RequiredString("team_id"), context.RequestAborted);
        var before = ManagementJson.Team(team);
        var now = clock.GetUtcNow().UtcDateTime;
        team.Blocked = blocked;
        team.UpdatedAt = now;
        ManagementCaller.Audit(db, context, blocked ? "blocked" : "unblocked", Table, team.TeamId, before, ManagementJson.Team(team), now);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.Team(team.TeamId)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Team(team));
    }

    private static void Apply(ManagementRequest request, Team team, ModelCatalog catalog, DateTimeOffset now)
    {
        request.RejectUnsupported(BudgetFields.Unsupported);
        BudgetFields.Apply(request, team, now);
        if (request.String("team_alias") is { } alias)
        {
            team.TeamAlias = alias;
        }

        if (BudgetFields.Models(request, catalog) is { } models)
        {
            team.Models = models.Where(m => m != ModelAccess.AllTeamModels).ToList();
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

    internal static async Task<Team> FindAsync(PlatformDbContext db, string teamId, CancellationToken cancellationToken) =>
        await db.Teams.Include(t => t.Members).ThenInclude(m => m.User).FirstOrDefaultAsync(t => t.TeamId == teamId, cancellationToken)
        ?? throw new ManagementRequestException($"Team not found: no team has team_id '{teamId}'.", "team_id");
}
