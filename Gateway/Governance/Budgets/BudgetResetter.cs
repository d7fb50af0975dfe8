using System.Linq.Expressions;
using Gateway.Governance.Caching;
using Gateway.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Governance.Budgets;

/// <summary>
/// Starts a new period for every budget whose <c>budget_reset_at</c> has passed: spend back to zero, the next reset
/// time written. Enforcement does not wait for this (the counters are per period); it keeps what the management API
/// shows right. Each reset is conditional on the old reset time, so replicas running it together reset once.
/// </summary>
internal sealed partial class BudgetResetter(
    IServiceScopeFactory scopes,
    GovernanceCache cache,
    ModelCatalog catalog,
    IOptions<GovernanceOptions> options,
    TimeProvider clock,
    ILogger<BudgetResetter> logger) : BackgroundService
{
    /// <summary>Creates the proxy-wide budget's state before the first call, so every replica counts from the same period.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = catalog.Config.LiteLlmSettings;
        if (settings.MaxBudget is not null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            if (!await db.BudgetStates.AnyAsync(s => s.Name == BudgetState.Global, cancellationToken))
            {
                db.BudgetStates.Add(new BudgetState { Name = BudgetState.Global, BudgetResetAt = settings.BudgetDuration?.After(clock.GetUtcNow()).UtcDateTime });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    // Another replica created it first.
                }
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BudgetResetInterval, clock);
        try
        {
            do
            {
                try
                {
                    await ResetDueAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogResetFailed(logger, exception.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task ResetDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var now = clock.GetUtcNow();
        var reset = new List<string>();
        reset.AddRange(await ResetAsync(db.VirtualKeys, k => k.Token, CacheEntries.Key, now, cancellationToken));
        reset.AddRange(await ResetAsync(db.Teams, t => t.TeamId, CacheEntries.Team, now, cancellationToken));
        reset.AddRange(await ResetAsync(db.InternalUsers, u => u.UserId, CacheEntries.User, now, cancellationToken));
        reset.AddRange(await ResetAsync(db.EndUsers, e => e.UserId, CacheEntries.EndUser, now, cancellationToken));

        if (catalog.Config.LiteLlmSettings.BudgetDuration is { } duration
            && await db.BudgetStates.AsNoTracking().FirstOrDefaultAsync(s => s.Name == BudgetState.Global, cancellationToken) is { BudgetResetAt: { } globalReset }
            && globalReset <= now.UtcDateTime)
        {
            var next = BudgetPeriods.CurrentEnd(new DateTimeOffset(globalReset, TimeSpan.Zero), duration, now).UtcDateTime;
            if (await db.BudgetStates.Where(s => s.Name == BudgetState.Global && s.BudgetResetAt == globalReset)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.Spend, 0).SetProperty(s => s.BudgetResetAt, next), cancellationToken) > 0)
            {
                reset.Add(CacheEntries.GlobalBudget);
            }
        }

        if (reset.Count > 0)
        {
            LogReset(logger, reset.Count);
            await cache.AnnounceAsync(reset, cancellationToken);
        }
    }

    private static async Task<List<string>> ResetAsync<T>(DbSet<T> set, Expression<Func<T, string>> id, Func<string, string> entry, DateTimeOffset now, CancellationToken cancellationToken)
        where T : BudgetedEntity
    {
        var at = now.UtcDateTime;
        var due = await set.AsNoTracking()
            .Where(e => e.BudgetDuration != null && e.BudgetResetAt != null && e.BudgetResetAt <= at)
            .ToListAsync(cancellationToken);
        var reset = new List<string>();
        var idOf = id.Compile();
        foreach (var entity in due)
        {
            if (BudgetPeriods.Parse(entity.BudgetDuration) is not { } duration)
            {
                continue;
            }

            var old = entity.BudgetResetAt!.Value;
            var next = BudgetPeriods.CurrentEnd(new DateTimeOffset(old, TimeSpan.Zero), duration, now).UtcDateTime;
            var key = idOf(entity);
            var sameRow = Expression.Lambda<Func<T, bool>>(Expression.Equal(id.Body, Expression.Constant(key)), id.Parameters);
            var updated = await set.Where(sameRow).Where(e => e.BudgetResetAt == old)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Spend, 0).SetProperty(e => e.BudgetResetAt, next).SetProperty(e => e.UpdatedAt, at), cancellationToken);
            if (updated > 0)
            {
                reset.Add(entry(key));
            }
        }

        return reset;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started a new budget period for {Count} key(s), team(s), user(s) or end user(s)")]
    private static partial void LogReset(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resetting budgets failed; trying again later ({Reason})")]
    private static partial void LogResetFailed(ILogger logger, string reason);
}
