using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance.Caching;
using Gateway.Governance.Management;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's end-user (customer) management, under <c>/customer/…</c> and <c>/end_user/…</c>: <c>new</c>, <c>info</c>,
/// <c>list</c>, <c>update</c>, <c>delete</c>, <c>block</c>, <c>unblock</c>. An end user is whoever a call names in
/// its <c>user</c> field; one that is not created here is tracked from its first spend. Admins only.
/// </summary>
public static class CustomerManagementApi
{
    internal const string Table = "end_users";

    public static IEndpointRouteBuilder MapCustomerManagementApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/customer", "/end_user" })
        {
            var customers = app.MapGroup(prefix)
                .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
                .AddEndpointFilter<ManagementErrorFilter>()
                .WithTags("Customer management");
            customers.MapPost("/new", NewAsync);
            customers.MapGet("/info", InfoAsync);
            customers.MapGet("/list", ListAsync);
            customers.MapPost("/update", UpdateAsync);
            customers.MapPost("/delete", DeleteAsync);
            customers.MapPost("/block", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: true));
            customers.MapPost("/unblock", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: false));
        }

        return app;
    }

    internal static async Task<IResult> NewAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var userId = request.RequiredString("user_id");
        if (await db.EndUsers.AnyAsync(e => e.UserId == userId, context.RequestAborted))
        {
            throw new ManagementRequestException($"Customer '{userId}' already exists.", "user_id");
        }

        var now = clock.GetUtcNow();
        var endUser = new EndUser { UserId = userId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
        Apply(request, endUser, now);
        db.EndUsers.Add(endUser);
        ManagementCaller.Audit(db, context, "created", Table, userId, null, ManagementJson.EndUser(endUser), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.EndUser(userId)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.EndUser(endUser));
    }

    internal static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, string? end_user_id = null) =>
        ManagementJson.Result(ManagementJson.EndUser(await FindAsync(db, end_user_id ?? throw new ManagementRequestException("end_user_id is required.", "end_user_id"), context.RequestAborted)));

    internal static async Task<IResult> ListAsync(PlatformDbContext db) =>
        ManagementJson.Result(new JsonArray((await db.EndUsers.AsNoTracking().OrderBy(e => e.CreatedAt).ThenBy(e => e.UserId).ToListAsync())
            .Select(e => (JsonNode)ManagementJson.EndUser(e)).ToArray()));

    internal static async Task<IResult> UpdateAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var endUser = await FindAsync(db, request.RequiredString("user_id"), context.RequestAborted);
        var before = ManagementJson.EndUser(endUser);
        var now = clock.GetUtcNow();
        Apply(request, endUser, now);
        ManagementCaller.Audit(db, context, "updated", Table, endUser.UserId, before, ManagementJson.EndUser(endUser), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.EndUser(endUser.UserId)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.EndUser(endUser));
    }

    internal static async Task<IResult> DeleteAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var (ids, endUsers) = await FindAllAsync(context, db);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var endUser in endUsers)
        {
            ManagementCaller.Audit(db, context, "deleted", Table, endUser.UserId, ManagementJson.EndUser(endUser), null, now);
        }

        db.EndUsers.RemoveRange(endUsers);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(ids.Select(CacheEntries.EndUser), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_customers"] = ManagementJson.Strings(ids) });
    }

    private static async Task<IResult> SetBlockedAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock, bool blocked)
    {
        var (ids, endUsers) = await FindAllAsync(context, db);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var endUser in endUsers)
        {
            var before = ManagementJson.EndUser(endUser);
            endUser.Blocked = blocked;
            endUser.UpdatedAt = now;
            ManagementCaller.Audit(db, context, blocked ? "blocked" : "unblocked", Table, endUser.UserId, before, ManagementJson.EndUser(endUser), now);
        }

        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(ids.Select(CacheEntries.EndUser), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { [blocked ? "blocked_users" : "unblocked_users"] = ManagementJson.Strings(ids) });
    }

    private static void Apply(ManagementRequest request, EndUser endUser, DateTimeOffset now)
    {
        request.RejectUnsupported("budget_id", "allowed_model_region", "default_model", "model_max_budget");
        BudgetFields.Apply(request, endUser, now);
        if (request.String("alias") is { } alias)
        {
            endUser.Alias = alias;
        }

        if (request.Bool("blocked") is { } blocked)
        {
            endUser.Blocked = blocked;
        }

        endUser.UpdatedAt = now.UtcDateTime;
    }

    private static async Task<(List<string> Ids, List<EndUser> EndUsers)> FindAllAsync(HttpContext context, PlatformDbContext db)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var ids = request.Ids("user_ids") is { Count: > 0 } given ? given : throw new ManagementRequestException("user_ids is required.", "user_ids");
        var endUsers = await db.EndUsers.Where(e => ids.Contains(e.UserId)).ToListAsync(context.RequestAborted);
        return ids.Where(id => endUsers.All(e => e.UserId != id)).ToList() is { Count: > 0 } unknown
            ? throw new ManagementRequestException($"Unknown customer(s): {string.Join(", ", unknown)}; nothing was changed.", "user_ids")
            : (ids, endUsers);
    }

    private static async Task<EndUser> FindAsync(PlatformDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.EndUsers.FirstOrDefaultAsync(e => e.UserId == userId, cancellationToken)
        ?? throw new ManagementRequestException($"Customer not found: no end user has user_id '{userId}'.", "user_id");
}
