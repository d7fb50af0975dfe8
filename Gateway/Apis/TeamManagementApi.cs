using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance.Management;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Governance;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's team management: <c>/team/new</c>, <c>/team/info</c>, <c>/team/list</c>, <c>/team/update</c>,
/// <c>/team/delete</c> (which deletes the team's keys, as LiteLLM does), <c>/team/block</c>, <c>/team/unblock</c>.
/// Admins only; the changes are <see cref="TeamAdministration"/>'s, which TraceUi uses too.
/// </summary>
public static class TeamManagementApi
{
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
        teams.MapPost("/block", (HttpContext context, TeamAdministration teams) => SetBlockedAsync(context, teams, blocked: true));
        teams.MapPost("/unblock", (HttpContext context, TeamAdministration teams) => SetBlockedAsync(context, teams, blocked: false));
        return app;
    }

    private static async Task<IResult> NewAsync(HttpContext context, TeamAdministration teams)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var team = await teams.NewAsync(request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Team(team));
    }

    private static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, TeamAdministration teams, string? team_id = null)
    {
        var team = await teams.FindAsync(team_id ?? throw new ManagementRequestException("team_id is required.", "team_id"), context.RequestAborted);
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

    private static async Task<IResult> ListAsync(PlatformDbContext db, string? user_id = null)
    {
        var query = db.Teams.AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User).AsQueryable();
        query = user_id is null ? query : query.Where(t => t.Members.Any(m => m.UserId == user_id));
        var teams = await query.OrderBy(t => t.CreatedAt).ThenBy(t => t.TeamId).ToListAsync();
        return ManagementJson.Result(new JsonArray(teams.Select(t => (JsonNode)ManagementJson.Team(t)).ToArray()));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, TeamAdministration teams)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var team = await teams.UpdateAsync(request.RequiredString("team_id"), request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["team_id"] = team.TeamId, ["data"] = ManagementJson.Team(team) });
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, TeamAdministration teams)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var ids = request.Ids("team_ids") is { Count: > 0 } given ? given : throw new ManagementRequestException("team_ids is required.", "team_ids");
        await teams.DeleteAsync(ids, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_teams"] = ManagementJson.Strings(ids) });
    }

    private static async Task<IResult> SetBlockedAsync(HttpContext context, TeamAdministration teams, bool blocked)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var team = await teams.SetBlockedAsync(request.RequiredString("team_id"), blocked, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Team(team));
    }
}
