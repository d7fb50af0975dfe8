using Gateway.Governance.Budgets;
using Microsoft.EntityFrameworkCore;
using Storage.Counters;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Gateway.Governance.Spend;

/// <summary>
/// Writes one batch of spend deltas to the relational store in one transaction: the daily rollup rows, the spend of
/// each key, team, internal user and end user (an end user first seen here is created), and the proxy-wide budget.
/// The batch id is recorded in the same transaction, so a batch handed out twice is written once.
/// </summary>
internal sealed class SpendRollupWriter(IServiceScopeFactory scopes, TimeProvider clock)
{
    private const int Attempts = 3;

    public async Task ApplyAsync(DeltaBatch batch, CancellationToken cancellationToken)
    {
        var rows = Rows(batch);
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            try
            {
                await ApplyAsync(db, batch.Id, rows, cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Another flusher inserted the same daily row (or stored this batch) first: start again, which updates it instead.
            }
        }
    }

    private async Task ApplyAsync(PlatformDbContext db, string batchId, Dictionary<SpendDimensions, RowDelta> rows, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.SpendFlushBatches.AnyAsync(b => b.BatchId == batchId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        db.SpendFlushBatches.Add(new SpendFlushBatch { BatchId = batchId, FlushedAt = now });
        foreach (var (dimensions, delta) in rows)
        {
            var dollars = Usd.ToDollars(delta.SpendNanos);
            var updated = await db.DailySpend
                .Where(d => d.Date == dimensions.Date && d.ApiKey == dimensions.ApiKey && d.TeamId == dimensions.TeamId
                    && d.UserId == dimensions.UserId && d.EndUser == dimensions.EndUser && d.Model == dimensions.Model)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(d => d.Spend, d => d.Spend + dollars)
                    .SetProperty(d => d.PromptTokens, d => d.PromptTokens + delta.PromptTokens)
                    .SetProperty(d => d.CompletionTokens, d => d.CompletionTokens + delta.CompletionTokens)
                    .SetProperty(d => d.ApiRequests, d => d.ApiRequests + delta.Requests)
                    .SetProperty(d => d.FailedRequests, d => d.FailedRequests + delta.FailedRequests), cancellationToken);
            if (updated == 0)
            {
                db.DailySpend.Add(new DailySpend
                {
                    Date = dimensions.Date, ApiKey = dimensions.ApiKey, TeamId = dimensions.TeamId, UserId = dimensions.UserId,
                    EndUser = dimensions.EndUser, Model = dimensions.Model, Spend = dollars, PromptTokens = delta.PromptTokens,
                    CompletionTokens = delta.CompletionTokens, ApiRequests = delta.Requests, FailedRequests = delta.FailedRequests,
                });
            }
        }

        foreach (var (token, nanos) in Totals(rows, d => d.ApiKey))
        {
            var dollars = Usd.ToDollars(nanos);
            if (await db.VirtualKeys.Where(k => k.Token == token).ExecuteUpdateAsync(set => set.SetProperty(k => k.Spend, k => k.Spend + dollars), cancellationToken) == 0
                && await db.DeprecatedVirtualKeys.Where(d => d.Token == token).Select(d => d.ActiveToken).FirstOrDefaultAsync(cancellationToken) is { } active)
            {
                // Spend of a regenerated key's previous token, still in its grace period, belongs to the new key.
                await db.VirtualKeys.Where(k => k.Token == active).ExecuteUpdateAsync(set => set.SetProperty(k => k.Spend, k => k.Spend + dollars), cancellationToken);
            }
        }

        foreach (var (teamId, nanos) in Totals(rows, d => d.TeamId))
        {
            var dollars = Usd.ToDollars(nanos);
            await db.Teams.Where(t => t.TeamId == teamId).ExecuteUpdateAsync(set => set.SetProperty(t => t.Spend, t => t.Spend + dollars), cancellationToken);
        }

        foreach (var (userId, nanos) in Totals(rows, d => d.UserId))
        {
            var dollars = Usd.ToDollars(nanos);
            await db.InternalUsers.Where(u => u.UserId == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.Spend, u => u.Spend + dollars), cancellationToken);
        }

        foreach (var (endUser, nanos) in Totals(rows, d => d.EndUser, includeZero: true))
        {
            var dollars = Usd.ToDollars(nanos);
            if (await db.EndUsers.Where(e => e.UserId == endUser).ExecuteUpdateAsync(set => set.SetProperty(e => e.Spend, e => e.Spend + dollars), cancellationToken) == 0)
            {
                db.EndUsers.Add(new EndUser { UserId = endUser, Spend = dollars, CreatedAt = now, UpdatedAt = now });
            }
        }

        var total = Usd.ToDollars(rows.Values.Sum(r => r.SpendNanos));
        if (total != 0)
        {
            await db.BudgetStates.Where(s => s.Name == BudgetState.Global).ExecuteUpdateAsync(set => set.SetProperty(s => s.Spend, s => s.Spend + total), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static Dictionary<SpendDimensions, RowDelta> Rows(DeltaBatch batch)
    {
        var rows = new Dictionary<SpendDimensions, RowDelta>();
        foreach (var (field, value) in batch.Deltas)
        {
            if (!SpendDimensions.TryParse(field, out var metric, out var dimensions))
            {
                continue;
            }

            var row = rows.GetValueOrDefault(dimensions);
            rows[dimensions] = metric switch
            {
                SpendDimensions.SpendNanos => row with { SpendNanos = row.SpendNanos + value },
                SpendDimensions.PromptTokens => row with { PromptTokens = row.PromptTokens + value },
                SpendDimensions.CompletionTokens => row with { CompletionTokens = row.CompletionTokens + value },
                SpendDimensions.Requests => row with { Requests = row.Requests + value },
                SpendDimensions.FailedRequests => row with { FailedRequests = row.FailedRequests + value },
                _ => row,
            };
        }

        return rows;
    }

    private static IEnumerable<(string Id, long Nanos)> Totals(Dictionary<SpendDimensions, RowDelta> rows, Func<SpendDimensions, string> id, bool includeZero = false) =>
        rows.Where(r => id(r.Key).Length > 0)
            .GroupBy(r => id(r.Key), r => r.Value.SpendNanos, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum()))
            .Where(t => includeZero || t.Item2 != 0);

    private readonly record struct RowDelta(long SpendNanos, long PromptTokens, long CompletionTokens, long Requests, long FailedRequests);
}
