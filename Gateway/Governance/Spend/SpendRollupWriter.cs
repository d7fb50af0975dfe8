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
    private const string EmptyMetadata = "{}";

    public async Task ApplyAsync(DeltaBatch batch, CancellationToken cancellationToken)
    {
        var rows = Rows(batch);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        // The batch id first: a replica storing the same batch waits here for this transaction, then finds it stored.
        if (await db.Database.ExecuteSqlAsync(
            $"INSERT INTO spend_flush_batches (batch_id, flushed_at) VALUES ({batch.Id}, {now}) ON CONFLICT (batch_id) DO NOTHING", cancellationToken) == 0)
        {
            return;
        }

        // Upserts (the same SQL on PostgreSQL and SQLite), so flushers of other batches never collide on a new row.
        foreach (var (d, delta) in rows)
        {
            var dollars = Usd.ToDollars(delta.SpendNanos);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO daily_spend (date, api_key, team_id, user_id, end_user, model, spend, prompt_tokens, completion_tokens, api_requests, failed_requests)
                VALUES ({d.Date}, {d.ApiKey}, {d.TeamId}, {d.UserId}, {d.EndUser}, {d.Model}, {dollars}, {delta.PromptTokens}, {delta.CompletionTokens}, {delta.Requests}, {delta.FailedRequests})
                ON CONFLICT (date, api_key, team_id, user_id, end_user, model) DO UPDATE SET
                  spend = daily_spend.spend + excluded.spend,
                  prompt_tokens = daily_spend.prompt_tokens + excluded.prompt_tokens,
                  completion_tokens = daily_spend.completion_tokens + excluded.completion_tokens,
                  api_requests = daily_spend.api_requests + excluded.api_requests,
                  failed_requests = daily_spend.failed_requests + excluded.failed_requests
                """, cancellationToken);
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
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO end_users (user_id, spend, metadata, blocked, created_at, updated_at)
                VALUES ({endUser}, {dollars}, {EmptyMetadata}, {false}, {now}, {now})
                ON CONFLICT (user_id) DO UPDATE SET spend = end_users.spend + excluded.spend
                """, cancellationToken);
        }

        var total = Usd.ToDollars(rows.Values.Sum(r => r.SpendNanos));
        if (total != 0)
        {
            await db.BudgetStates.Where(s => s.Name == BudgetState.Global).ExecuteUpdateAsync(set => set.SetProperty(s => s.Spend, s => s.Spend + total), cancellationToken);
        }

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
