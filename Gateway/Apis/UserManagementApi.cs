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
/// LiteLLM's internal-user management: <c>/user/new</c> (which also issues the user a key unless
/// <c>auto_create_key</c> is false), <c>/user/info</c>, <c>/user/list</c>, <c>/user/update</c>, <c>/user/delete</c>
/// (which deletes the user's keys). Admins only, except <c>/user/info</c> on the caller's own user.
/// </summary>
public static class UserManagementApi
{
    internal const string Table = "internal_users";
    private const int MaxPageSize = 100;
    private static readonly string[] UserRoles = ["proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer"];

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

    internal static async Task<IResult> NewAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var now = clock.GetUtcNow();
        var userId = request.String("user_id") ?? Guid.NewGuid().ToString();
        if (await db.InternalUsers.AnyAsync(u => u.UserId == userId, context.RequestAborted))
        {
            throw new ManagementRequestException($"User id '{userId}' already exists.", "user_id");
        }

        var user = new InternalUser { UserId = userId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
        await ApplyAsync(request, user, db, catalog, now, context.RequestAborted);
        db.InternalUsers.Add(user);
        ManagementCaller.Audit(db, context, "created", Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        var response = ManagementJson.User(user);
        var entries = new List<string> { CacheEntries.User(user.UserId) };
        if (request.Bool("auto_create_key") ?? true)
        {
            // The user's first key: LiteLLM's key fields that /user/new passes on, the user's own limits stay on the user.
            var keyRequest = new ManagementRequest(new JsonObject
            {
                ["user_id"] = user.UserId,
                ["key_alias"] = request.Body["key_alias"]?.DeepClone(),
                ["duration"] = request.Body["duration"]?.DeepClone(),
            });
            var (key, secret) = await KeyManagementApi.IssueAsync(keyRequest, context, db, catalog, now, context.RequestAborted);
            foreach (var (name, value) in ManagementJson.GeneratedKey(key, secret).Where(field => field.Key is "key" or "token" or "token_id" or "key_name" or "key_alias" or "expires"))
            {
                response[name] = value?.DeepClone();
            }

            entries.Add(CacheEntries.Key(key.Token));
        }

        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(entries, context.RequestAborted);
        return ManagementJson.Result(response);
    }

    internal static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, string? user_id = null)
    {
        var own = context.User.FindFirst(GatewayClaims.UserId)?.Value;
        var userId = user_id ?? own ?? throw new ManagementRequestException("user_id is required.", "user_id");
        if (!ManagementCaller.IsAdmin(context) && userId != own)
        {
            return ManagementErrors.Forbidden("A key may only read its own user's information; /user/info for other users needs the master key.");
        }

        var user = await FindAsync(db, userId, context.RequestAborted);
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

    internal static async Task<IResult> ListAsync(PlatformDbContext db, int page = 1, int page_size = 25, string? role = null)
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

    internal static async Task<IResult> UpdateAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        InternalUser user;
        if (request.String("user_id") is { } userId)
        {
            user = await FindAsync(db, userId, context.RequestAborted);
        }
        else
        {
            var email = request.String("user_email") ?? throw new ManagementRequestException("Either user_id or user_email must be provided.", "user_id");
            var found = await db.InternalUsers.Where(u => u.UserEmail == email).Select(u => u.UserId).FirstOrDefaultAsync(context.RequestAborted)
                ?? throw new ManagementRequestException($"User not found: no user has user_email '{email}'.", "user_email");
            user = await FindAsync(db, found, context.RequestAborted);
            request.Body.Remove("user_email");
        }

        var before = ManagementJson.User(user);
        var now = clock.GetUtcNow();
        await ApplyAsync(request, user, db, catalog, now, context.RequestAborted);
        ManagementCaller.Audit(db, context, "updated", Table, user.UserId, before, ManagementJson.User(user), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.User(user.UserId)], context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["user_id"] = user.UserId, ["data"] = ManagementJson.User(user) });
    }

    internal static async Task<IResult> DeleteAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var ids = request.Ids("user_ids") is { Count: > 0 } given ? given : throw new ManagementRequestException("user_ids is required.", "user_ids");
        var users = await db.InternalUsers.Include(u => u.Memberships).Where(u => ids.Contains(u.UserId)).ToListAsync(context.RequestAborted);
        if (ids.Where(id => users.All(u => u.UserId != id)).ToList() is { Count: > 0 } unknown)
        {
            throw new ManagementRequestException($"Unknown user(s): {string.Join(", ", unknown)}; nothing was deleted.", "user_ids");
        }

        var now = clock.GetUtcNow();
        var keys = await db.VirtualKeys.Where(k => k.UserId != null && ids.Contains(k.UserId)).ToListAsync(context.RequestAborted);
        var entries = await KeyManagementApi.EntriesOfAsync(db, keys.Select(k => k.Token).ToList(), context.RequestAborted);
        await KeyManagementApi.DeleteRowsAsync(db, context, keys, now, context.RequestAborted);
        foreach (var user in users)
        {
            ManagementCaller.Audit(db, context, "deleted", Table, user.UserId, ManagementJson.User(user), null, now.UtcDateTime);
            entries.Add(CacheEntries.User(user.UserId));
            entries.AddRange(user.Memberships.Select(m => CacheEntries.Team(m.TeamId)));
        }

        db.InternalUsers.RemoveRange(users);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(entries, context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_users"] = ManagementJson.Strings(ids) });
    }

    private static async Task ApplyAsync(ManagementRequest request, InternalUser user, PlatformDbContext db, ModelCatalog catalog, DateTimeOffset now, CancellationToken cancellationToken)
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

        if (BudgetFields.Models(request, catalog) is { } models)
        {
            user.Models = models;
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

    internal static async Task<InternalUser> FindAsync(PlatformDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.InternalUsers.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.UserId == userId, cancellationToken)
        ?? throw new ManagementRequestException($"User not found: no user has user_id '{userId}'.", "user_id");
}
