using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Governance.Management;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storage.Relational;
using Storage.Governance;
using Storage.Governance.Keys;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's virtual-key management: <c>/key/generate</c>, <c>/key/info</c>, <c>/key/list</c>, <c>/key/update</c>,
/// <c>/key/delete</c>, <c>/key/regenerate</c> (also <c>/key/{key}/regenerate</c>), <c>/key/{key}/reset_spend</c>,
/// <c>/key/block</c>, <c>/key/unblock</c>,
/// with LiteLLM's request and response fields. Admins only, except <c>/key/info</c> on the caller's own key. The
/// changes themselves are <see cref="KeyAdministration"/>'s, which TraceUi uses too.
/// </summary>
public static class KeyManagementApi
{
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
        admin.MapPost("/block", (HttpContext context, KeyAdministration keys) => SetBlockedAsync(context, keys, blocked: true));
        admin.MapPost("/unblock", (HttpContext context, KeyAdministration keys) => SetBlockedAsync(context, keys, blocked: false));
        return app;
    }

    private static async Task<IResult> GenerateAsync(HttpContext context, KeyAdministration keys)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var issued = await keys.GenerateAsync(request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.GeneratedKey(issued.Key, issued.Secret));
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

        var row = await db.VirtualKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Token == token, context.RequestAborted)
            ?? throw new ManagementRequestException($"Key not found: no key has token {token}.", "key");
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

    private static async Task<IResult> UpdateAsync(HttpContext context, KeyAdministration keys)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var key = await keys.UpdateAsync(KeyReference.Token(request.RequiredString("key")), request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(key));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, KeyAdministration keys)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var references = request.Ids("keys") ?? [];
        var aliases = request.Ids("key_aliases") ?? [];
        var tokens = references.Select(r => KeyReference.Token(r, "keys")).ToList();
        await keys.DeleteAsync(tokens, aliases, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(new JsonObject { ["deleted_keys"] = ManagementJson.Strings(references.Concat(aliases)) });
    }

    private static async Task<IResult> RegenerateAsync(HttpContext context, KeyAdministration keys, IOptions<GovernanceOptions> options, string? key = null)
    {
        var request = context.Request.ContentLength is 0 ? ManagementRequest.Empty() : await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var token = KeyReference.Token(key ?? request.RequiredString("key"));
        var fallback = options.Value.KeyRotationGracePeriod is { } configured && BudgetDuration.TryParse(configured, out var grace) ? grace : null;
        var issued = await keys.RegenerateAsync(token, request, fallback, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.GeneratedKey(issued.Key, issued.Secret));
    }

    /// <summary>LiteLLM's spend reset: <c>reset_to</c> (0 or more, at most the current spend); the budget counts again from it at once.</summary>
    private static async Task<IResult> ResetSpendAsync(string key, HttpContext context, KeyAdministration keys)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var row = await keys.ResetSpendAsync(KeyReference.Token(key), request, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(row));
    }

    private static async Task<IResult> SetBlockedAsync(HttpContext context, KeyAdministration keys, bool blocked)
    {
        var request = await ManagementRequest.ReadAsync(context.Request, context.RequestAborted);
        var key = await keys.SetBlockedAsync(KeyReference.Token(request.RequiredString("key")), blocked, ManagementCaller.Actor(context), context.RequestAborted);
        return ManagementJson.Result(ManagementJson.Key(key));
    }
}
