using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance.Management;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Governance;
using Storage.Relational.Entities;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's internal-user management: <c>/user/new</c> (which also issues the user a key unless
/// <c>auto_create_key</c> is false), <c>/user/info</c>, <c>/user/list</c>, <c>/user/update</c>, <c>/user/delete</c>
/// (which deletes the user's keys). Admins only, except <c>/user/info</c> on the caller's own user.
/// </summary>
public static class UserManagementApi
{
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapUserManagementApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/user").RequireAuthorization(GatewayAuthentication.CallerPolicy).AddEndpointFilter<ManagementErrorFilter>().WithTags("User management");
        users.MapGet("/info", InfoAsync);
        var admin = users.MapGroup("/").RequireAuthorization(GatewayAuthentication.AdminPolicy);
        admin.MapPost("/new", NewAsync);
        admin.MapGet("/list", ListAsync);
        admin.MapPost("/update", UpdateAsync);
        admin.MapPost("/delete", DeleteAsync);
        return app;
    }

    private static async Task<IResult> NewAsync(HttpContext context, UserAdministration users)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var (user, issued) = await users.NewAsync(request, ManagementCaller.Actor(context), context.RequestAborted);
        var response = ManagementJson.User(user);
        if (issued is not null)
        {
            foreach (var (name, value) in ManagementJson.GeneratedKey(issued.Key, issued.Secret).Where(field => field.Key is "key" or "token" or "token_id" or "key_name" or "key_alias" or "expires"))
            {
                response[name] = value?.DeepClone();
            }
        }

        return ManagementJson.Result(response);
    }

    private static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, UserAdministration users, string? user_id = null)
    {
        var own = context.User.FindFirst(GatewayClaims.UserId)?.Value;
        var userId = user_id ?? own ?? throw new ManagementRequestException("user_id is required.", "user_id");
        if (!ManagementCaller.IsAdmin(context) && userId != own)
        {
            return ManagementErrors.Forbidden("A key may only read its own user's information; /user/info for other users needs the master key.");
        }

        var user = await users.FindAsync(userId, context.RequestAborted);
        var keys = await db.VirtualKeys.AsNoTracking().Where(k => k.UserId == user.UserId).OrderBy(k => k.CreatedAt).ToListAsync(context.RequestAborted);
        var teamIds = user.Memberships.Select(m => m.TeamId).ToList();
        var teams = await db.Teams.AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User).Where(t => teamIds.Contains(t.TeamId)).ToListAsync(context.RequestAborted);
        return ManagementJson.Result(new JsonObject
        {
            ["user_id"] = user.UserId,
            ["user_info"] = ManagementJson.User(user),
            ["keys"] = new JsonArray(keys.Select(k => (JsonNode)ManagementJson.Key(k)).ToArray()),
            ["teams"] = new JsonArray(teams.Select(t => (JsonNode)ManagementJson.Team(t)).ToArray()),
        });
    }

    private static async Task<IResult> ListAsync(PlatformDbContext db, int page = 1, int page_size = 25, string? role = null)
    {
        if (page < 1 || page_size is < 1 or > MaxPageSize)
        {
            throw new ManagementRequestException($"page must be 1 or more and page_size from 1 to {MaxPageSize}.", page < 1 ? "page" : "page_size");
        }

        var query = db.InternalUsers.AsNoTracking().Include(u => u.Memberships).AsQueryable();
        query = role is null ? query : query.Where(u => u.UserRole == role);
        var total = await query.CountAsync();
        var users = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.UserId).Skip((page - 1) * page_size).Take(page_size).ToListAsync();
        return ManagementJson.Result(new JsonObject
        {
            ["users"] = new JsonArray(users.Select(u => (JsonNode)ManagementJson.User(u)).ToArray()),
            ["total"] = total,
            ["page"] = page,
            ["page_size"] = page_size,
            ["total_pages"] = (total + page_size - 1) / page_size,
        });
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, PlatformDbContext db, UserAdministration users)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        InternalUser user;
        if (request.String("user_id") is { } userId)
        {
            user = await users.FindAsync(userId, context.RequestAborted);
        }
        else
        {
            var email = request.String("user_email") ?? throw new ManagementRequestException("Either user_id or user_email must be provided.", "user_id");
            var found = await db.InternalUsers.Where(u => u.UserEmail == email).Select(u => u.UserId).FirstOrDefaultAsync(context.RequestAborted)
                ?? throw new ManagementRequestException($"User not found: no user has user_email '{email}'.", "user_email");
            user = await users.FindAsync(found, context.RequestAborted);
            request.Body.Remove("user_email");
        }

        await users.UpdateAsync(user, request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["user_id"] = user.UserId, ["data"] = ManagementJson.User(user) });
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, UserAdministration users)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var ids = request.Ids("user_ids") is { Count: > 0 } given ? given : throw new ManagementRequestException("user_ids is required.", "user_ids");
        await users.DeleteAsync(ids, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_users"] = ManagementJson.Strings(ids) });
    }
}
