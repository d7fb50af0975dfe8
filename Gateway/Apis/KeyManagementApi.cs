using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Governance.Caching;
using Gateway.Governance.Keys;
using Gateway.Governance.Management;
using Gateway.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's virtual-key management: <c>/key/generate</c>, <c>/key/info</c>, <c>/key/list</c>, <c>/key/update</c>,
/// <c>/key/delete</c>, <c>/key/regenerate</c> (also <c>/key/{key}/regenerate</c>), <c>/key/{key}/reset_spend</c>,
/// <c>/key/block</c>, <c>/key/unblock</c>,
/// with LiteLLM's request and response fields. Admins only, except <c>/key/info</c> on the caller's own key. Every
/// change is audited and announced to every replica's cache.
/// </summary>
public static class KeyManagementApi
{
    internal const string Table = "virtual_keys";
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapKeyManagementApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/key").RequireAuthorization(GatewayAuthentication.CallerPolicy).AddEndpointFilter<ManagementErrorFilter>().WithTags("Key management");
        keys.MapGet("/info", InfoAsync);
        var admin = keys.MapGroup("/").RequireAuthorization(GatewayAuthentication.AdminPolicy);
        admin.MapPost("/generate", GenerateAsync);
        admin.MapGet("/list", ListAsync);
        admin.MapPost("/update", UpdateAsync);
        admin.MapPost("/delete", DeleteAsync);
        admin.MapPost("/regenerate", RegenerateAsync);
        admin.MapPost("/{key}/regenerate", RegenerateAsync);
        admin.MapPost("/{key}/reset_spend", ResetSpendAsync);
        admin.MapPost("/block", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: true));
        admin.MapPost("/unblock", (HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock) => SetBlockedAsync(context, db, cache, clock, blocked: false));
        return app;
    }

    internal static async Task<IResult> GenerateAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var (key, secret) = await IssueAsync(request, context, db, catalog, clock.GetUtcNow(), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([CacheEntries.Key(key.Token)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.GeneratedKey(key, secret));
    }

    /// <summary>Adds a new key (and any user it names that does not exist yet) to <paramref name="db"/>, audited, unsaved.</summary>
    internal static async Task<(VirtualKey Key, string Secret)> IssueAsync(
        ManagementRequest request, HttpContext context, PlatformDbContext db, ModelCatalog catalog, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var secret = KeyFields.Secret(request, "key", catalog);
        var key = KeyFields.New(secret, now, ManagementCaller.Name(context));
        if (await db.VirtualKeys.AnyAsync(k => k.Token == key.Token, cancellationToken))
        {
            throw new ManagementRequestException("A key with this value already exists.", "key");
        }

        foreach (var user in await KeyFields.ApplyAsync(request, key, db, catalog, now, cancellationToken))
        {
            ManagementCaller.Audit(db, context, "created", UserManagementApi.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        db.VirtualKeys.Add(key);
        ManagementCaller.Audit(db, context, "created", Table, key.Token, null, ManagementJson.Key(key), now.UtcDateTime);
        return (key, secret);
    }

    internal static async Task<IResult> InfoAsync(HttpContext context, PlatformDbContext db, string? key = null)
    {
        var ownToken = ManagementCaller.KeyToken(context);
        var token = key is null
            ? ownToken ?? throw new ManagementRequestException("key is required (the key itself or its token).", "key")
            : KeyReference.Token(key);
        if (!ManagementCaller.IsAdmin(context) && token != ownToken)
        {
            return ManagementErrors.Forbidden("A key may only read its own information; /key/info for other keys needs the master key.");
        }

        var row = await FindAsync(db, token, context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["key"] = row.Token, ["info"] = ManagementJson.Key(row) });
    }

    internal static async Task<IResult> ListAsync(
        PlatformDbContext db, int page = 1, int size = 10, string? user_id = null, string? team_id = null, string? key_alias = null,
        string? key_hash = null, bool return_full_object = false)
    {
        if (page < 1 || size is < 1 or > MaxPageSize)
        {
            throw new ManagementRequestException($"page must be 1 or more and size from 1 to {MaxPageSize}.", page < 1 ? "page" : "size");
        }

        var query = db.VirtualKeys.AsNoTracking();
        query = user_id is null ? query : query.Where(k => k.UserId == user_id);
        query = team_id is null ? query : query.Where(k => k.TeamId == team_id);
        query = key_alias is null ? query : query.Where(k => k.KeyAlias == key_alias);
        if (key_hash is not null)
        {
            var token = KeyReference.Token(key_hash, "key_hash");
            query = query.Where(k => k.Token == token);
        }

        var total = await query.CountAsync();
        var rows = await query.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Token).Skip((page - 1) * size).Take(size).ToListAsync();
        return ManagementJson.Result(new JsonObject
        {
            ["keys"] = new JsonArray(rows.Select(k => return_full_object ? (JsonNode)ManagementJson.Key(k) : JsonValue.Create(k.Token)).ToArray()),
            ["total_count"] = total,
            ["current_page"] = page,
            ["total_pages"] = (total + size - 1) / size,
        });
    }

    internal static async Task<IResult> UpdateAsync(HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var key = await FindAsync(db, KeyReference.Token(request.RequiredString("key")), context.RequestAborted);
        var before = ManagementJson.Key(key);
        var now = clock.GetUtcNow();
        foreach (var user in await KeyFields.ApplyAsync(request, key, db, catalog, now, context.RequestAborted))
        {
            ManagementCaller.Audit(db, context, "created", UserManagementApi.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        key.UpdatedBy = ManagementCaller.Name(context);
        ManagementCaller.Audit(db, context, "updated", Table, key.Token, before, ManagementJson.Key(key), now.UtcDateTime);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(await EntriesOfAsync(db, [key.Token], context.RequestAborted), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(key));
    }

    internal static async Task<IResult> DeleteAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var references = request.Ids("keys") ?? [];
        var aliases = request.Ids("key_aliases") ?? [];
        if (references.Count == 0 && aliases.Count == 0)
        {
            throw new ManagementRequestException("At least one of 'keys' or 'key_aliases' must be provided.", "keys");
        }

        var tokens = references.Select(r => KeyReference.Token(r, "keys")).ToList();
        var rows = await db.VirtualKeys.Where(k => tokens.Contains(k.Token) || (k.KeyAlias != null && aliases.Contains(k.KeyAlias))).ToListAsync(context.RequestAborted);
        var unknown = tokens.Where(t => rows.All(k => k.Token != t)).Concat(aliases.Where(a => rows.All(k => k.KeyAlias != a))).ToList();
        if (unknown.Count > 0)
        {
            throw new ManagementRequestException($"Unknown key(s): {string.Join(", ", unknown)}; nothing was deleted.", "keys");
        }

        var entries = await EntriesOfAsync(db, rows.Select(k => k.Token).ToList(), context.RequestAborted);
        await DeleteRowsAsync(db, context, rows, clock.GetUtcNow(), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(entries, context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_keys"] = ManagementJson.Strings(references.Concat(aliases)) });
    }

    /// <summary>Removes keys (and their previous tokens) from <paramref name="db"/>, audited, unsaved.</summary>
    internal static async Task DeleteRowsAsync(PlatformDbContext db, HttpContext context, List<VirtualKey> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tokens = rows.Select(k => k.Token).ToList();
        db.DeprecatedVirtualKeys.RemoveRange(await db.DeprecatedVirtualKeys.Where(d => tokens.Contains(d.ActiveToken)).ToListAsync(cancellationToken));
        foreach (var key in rows)
        {
            ManagementCaller.Audit(db, context, "deleted", Table, key.Token, ManagementJson.Key(key), null, now.UtcDateTime);
        }

        db.VirtualKeys.RemoveRange(rows);
    }

    internal static async Task<IResult> RegenerateAsync(
        HttpContext context, PlatformDbContext db, ModelCatalog catalog, GovernanceCache cache, IOptions<GovernanceOptions> options, TimeProvider clock, string? key = null)
    {
        var request = context.Request.ContentLength is 0 ? ManagementRequest.Empty() : await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var old = await FindAsync(db, KeyReference.Token(key ?? request.RequiredString("key")), context.RequestAborted);
        var grace = request.Duration("grace_period") ?? (options.Value.KeyRotationGracePeriod is { } fallback && Configuration.BudgetDuration.TryParse(fallback, out var configured) ? configured : null);
        var now = clock.GetUtcNow();
        var secret = KeyFields.Secret(request, "new_key", catalog);
        var renewed = KeyFields.New(secret, now, old.CreatedBy ?? ManagementCaller.Name(context));
        CopySettings(old, renewed);
        if (request.String("key_alias") == old.KeyAlias)
        {
            // Its own alias is not taken by another key.
            request.Body.Remove("key_alias");
        }

        foreach (var user in await KeyFields.ApplyAsync(request, renewed, db, catalog, now, context.RequestAborted))
        {
            ManagementCaller.Audit(db, context, "created", UserManagementApi.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        renewed.UpdatedBy = ManagementCaller.Name(context);
        var entries = await EntriesOfAsync(db, [old.Token], context.RequestAborted);
        foreach (var previous in await db.DeprecatedVirtualKeys.Where(d => d.ActiveToken == old.Token).ToListAsync(context.RequestAborted))
        {
            previous.ActiveToken = renewed.Token;
        }

        // Kept even without a grace period (revoked at once), so spend still buffered under the old token reaches the new key.
        db.DeprecatedVirtualKeys.Add(new DeprecatedVirtualKey
        {
            Token = old.Token,
            ActiveToken = renewed.Token,
            RevokeAt = (grace?.After(now) ?? now).UtcDateTime,
            CreatedAt = now.UtcDateTime,
        });
        ManagementCaller.Audit(db, context, "regenerated", Table, old.Token, ManagementJson.Key(old), ManagementJson.Key(renewed), now.UtcDateTime);
        db.VirtualKeys.Remove(old);
        db.VirtualKeys.Add(renewed);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync([.. entries, CacheEntries.Key(renewed.Token)], context.RequestAborted);
        return ManagementJson.Result(ManagementJson.GeneratedKey(renewed, secret));
    }

    /// <summary>LiteLLM's spend reset: <c>reset_to</c> (0 or more, at most the current spend); the budget counts again from it at once.</summary>
    internal static async Task<IResult> ResetSpendAsync(string key, HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var row = await FindAsync(db, KeyReference.Token(key), context.RequestAborted);
        var resetTo = request.Money("reset_to") ?? throw new ManagementRequestException("reset_to is required.", "reset_to");
        if (resetTo > row.Spend)
        {
            throw new ManagementRequestException($"reset_to ({resetTo}) must not be more than the current spend ({row.Spend}).", "reset_to");
        }

        var before = ManagementJson.Key(row);
        var now = clock.GetUtcNow().UtcDateTime;
        row.Spend = resetTo;
        row.SpendSetAt = now;
        row.UpdatedAt = now;
        row.UpdatedBy = ManagementCaller.Name(context);
        ManagementCaller.Audit(db, context, "updated", Table, row.Token, before, ManagementJson.Key(row), now);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(await EntriesOfAsync(db, [row.Token], context.RequestAborted), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(row));
    }

    private static async Task<IResult> SetBlockedAsync(HttpContext context, PlatformDbContext db, GovernanceCache cache, TimeProvider clock, bool blocked)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var key = await FindAsync(db, KeyReference.Token(request.RequiredString("key")), context.RequestAborted);
        var before = ManagementJson.Key(key);
        var now = clock.GetUtcNow().UtcDateTime;
        key.Blocked = blocked;
        key.UpdatedAt = now;
        key.UpdatedBy = ManagementCaller.Name(context);
        ManagementCaller.Audit(db, context, blocked ? "blocked" : "unblocked", Table, key.Token, before, ManagementJson.Key(key), now);
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.AnnounceAsync(await EntriesOfAsync(db, [key.Token], context.RequestAborted), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(key));
    }

    internal static async Task<VirtualKey> FindAsync(PlatformDbContext db, string token, CancellationToken cancellationToken) =>
        await db.VirtualKeys.FirstOrDefaultAsync(k => k.Token == token, cancellationToken)
        ?? throw new ManagementRequestException($"Key not found: no key has token {token}.", "key");

    /// <summary>The cache entries of keys: their tokens and the previous tokens that still resolve to them.</summary>
    internal static async Task<List<string>> EntriesOfAsync(PlatformDbContext db, List<string> tokens, CancellationToken cancellationToken)
    {
        var previous = await db.DeprecatedVirtualKeys.AsNoTracking().Where(d => tokens.Contains(d.ActiveToken)).Select(d => d.Token).ToListAsync(cancellationToken);
        return [.. tokens.Concat(previous).Select(CacheEntries.Key)];
    }

    private static void CopySettings(VirtualKey from, VirtualKey to)
    {
        to.KeyAlias = from.KeyAlias;
        to.Models = [.. from.Models];
        to.Spend = from.Spend;
        to.MaxBudget = from.MaxBudget;
        to.SoftBudget = from.SoftBudget;
        to.BudgetDuration = from.BudgetDuration;
        to.BudgetResetAt = from.BudgetResetAt;
        to.SpendSetAt = from.SpendSetAt;
        to.TpmLimit = from.TpmLimit;
        to.RpmLimit = from.RpmLimit;
        to.MaxParallelRequests = from.MaxParallelRequests;
        to.Expires = from.Expires;
        to.Blocked = from.Blocked;
        to.TeamId = from.TeamId;
        to.UserId = from.UserId;
        to.Tags = [.. from.Tags];
        to.Metadata = from.Metadata;
    }
}
