using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance.Management;
using Gateway.Routing;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's spend summaries, read from the spend columns and the daily rollup (flushed in batches, so a call shows
/// up within <c>Gateway:Governance:SpendFlushInterval</c>): <c>/spend/keys</c>, <c>/spend/users</c>,
/// <c>/global/spend</c>, <c>/global/spend/keys</c>, <c>/global/spend/teams</c>, <c>/global/spend/models</c>. The
/// <c>/global/…</c> views cover the last 30 days, as LiteLLM's do. Admins only.
/// </summary>
public static class SpendApi
{
    private const int Days = 30;

    public static IEndpointRouteBuilder MapSpendApi(this IEndpointRouteBuilder app)
    {
        var spend = app.MapGroup("/")
            .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
            .AddEndpointFilter<ManagementErrorFilter>()
            .WithTags("Budget & spend tracking");
        spend.MapGet("/spend/keys", KeysAsync);
        spend.MapGet("/spend/users", UsersAsync);
        spend.MapGet("/global/spend", GlobalAsync);
        spend.MapGet("/global/spend/keys", TopKeysAsync);
        spend.MapGet("/global/spend/teams", TeamsAsync);
        spend.MapGet("/global/spend/models", ModelsAsync);
        return app;
    }

    internal static async Task<IResult> KeysAsync(PlatformDbContext db) =>
        ManagementJson.Result(new JsonArray((await db.VirtualKeys.AsNoTracking().OrderByDescending(k => k.Spend).ThenBy(k => k.Token).ToListAsync())
            .Select(k => (JsonNode)ManagementJson.Key(k)).ToArray()));

    internal static async Task<IResult> UsersAsync(PlatformDbContext db, string? user_id = null)
    {
        var query = db.InternalUsers.AsNoTracking().Include(u => u.Memberships).AsQueryable();
        query = user_id is null ? query : query.Where(u => u.UserId == user_id);
        return ManagementJson.Result(new JsonArray((await query.OrderByDescending(u => u.Spend).ThenBy(u => u.UserId).ToListAsync())
            .Select(u => (JsonNode)ManagementJson.User(u)).ToArray()));
    }

    internal static async Task<IResult> GlobalAsync(PlatformDbContext db, ModelCatalog catalog, TimeProvider clock)
    {
        var since = Since(clock);
        var spend = await db.DailySpend.AsNoTracking().Where(d => d.Date >= since).SumAsync(d => d.Spend);
        var settings = catalog.Config.LiteLlmSettings;
        var state = await db.BudgetStates.AsNoTracking().FirstOrDefaultAsync(s => s.Name == Storage.Relational.Entities.BudgetState.Global);
        return ManagementJson.Result(new JsonObject
        {
            ["spend"] = spend,
            ["max_budget"] = settings.MaxBudget is { } max ? (double)max : null,
            ["budget_duration"] = settings.BudgetDuration?.ToString(),
            ["budget_reset_at"] = ManagementJson.Time(state?.BudgetResetAt),
            ["current_period_spend"] = state?.Spend,
        });
    }

    internal static async Task<IResult> TopKeysAsync(PlatformDbContext db, TimeProvider clock, int? limit = null)
    {
        var since = Since(clock);
        var totals = await db.DailySpend.AsNoTracking().Where(d => d.Date >= since && d.ApiKey != "")
            .GroupBy(d => d.ApiKey).Select(g => new { ApiKey = g.Key, Total = g.Sum(d => d.Spend) }).ToListAsync();
        var ordered = totals.OrderByDescending(t => t.Total).ThenBy(t => t.ApiKey, StringComparer.Ordinal).Take(Limit(limit)).ToList();
        var tokens = ordered.Select(t => t.ApiKey).ToList();
        var keys = await db.VirtualKeys.AsNoTracking().Where(k => tokens.Contains(k.Token)).ToDictionaryAsync(k => k.Token);
        return ManagementJson.Result(new JsonArray(ordered.Select(t => (JsonNode)new JsonObject
        {
            ["api_key"] = t.ApiKey,
            ["key_alias"] = keys.GetValueOrDefault(t.ApiKey)?.KeyAlias,
            ["key_name"] = keys.GetValueOrDefault(t.ApiKey)?.KeyName,
            ["total_spend"] = t.Total,
        }).ToArray()));
    }

    /// <summary>LiteLLM's shape: spend per day with one column per team (by alias), the teams, and each team's total.</summary>
    internal static async Task<IResult> TeamsAsync(PlatformDbContext db, TimeProvider clock)
    {
        var since = Since(clock);
        var daily = await db.DailySpend.AsNoTracking().Where(d => d.Date >= since && d.TeamId != "")
            .GroupBy(d => new { d.Date, d.TeamId }).Select(g => new { g.Key.Date, g.Key.TeamId, Total = g.Sum(d => d.Spend) }).ToListAsync();
        var ids = daily.Select(d => d.TeamId).Distinct().ToList();
        var aliases = await db.Teams.AsNoTracking().Where(t => ids.Contains(t.TeamId)).ToDictionaryAsync(t => t.TeamId, t => t.TeamAlias ?? t.TeamId);
        string Name(string teamId) => aliases.GetValueOrDefault(teamId) ?? teamId;

        var days = daily.GroupBy(d => d.Date).OrderBy(g => g.Key).Select(g =>
        {
            var row = new JsonObject { ["date"] = g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
            foreach (var team in g)
            {
                row[Name(team.TeamId)] = team.Total;
            }

            return (JsonNode)row;
        });
        var totals = daily.GroupBy(d => d.TeamId).OrderByDescending(g => g.Sum(d => d.Total)).Select(g => (JsonNode)new JsonObject
        {
            ["team_id"] = Name(g.Key),
            ["total_spend"] = g.Sum(d => d.Total),
        });
        return ManagementJson.Result(new JsonObject
        {
            ["daily_spend"] = new JsonArray(days.ToArray()),
            ["teams"] = ManagementJson.Strings(ids.Select(Name).Distinct().Order(StringComparer.Ordinal)),
            ["total_spend_per_team"] = new JsonArray(totals.ToArray()),
        });
    }

    internal static async Task<IResult> ModelsAsync(PlatformDbContext db, TimeProvider clock, int? limit = null)
    {
        var since = Since(clock);
        var totals = await db.DailySpend.AsNoTracking().Where(d => d.Date >= since)
            .GroupBy(d => d.Model).Select(g => new { Model = g.Key, Total = g.Sum(d => d.Spend) }).ToListAsync();
        return ManagementJson.Result(new JsonArray(totals.OrderByDescending(t => t.Total).ThenBy(t => t.Model, StringComparer.Ordinal).Take(Limit(limit))
            .Select(t => (JsonNode)new JsonObject { ["model"] = t.Model, ["total_spend"] = t.Total }).ToArray()));
    }

    private static DateOnly Since(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(-Days));

    private static int Limit(int? limit) => limit switch
    {
        null => int.MaxValue,
        < 1 => throw new ManagementRequestException("limit must be 1 or more.", "limit"),
        _ => limit.Value,
    };
}
