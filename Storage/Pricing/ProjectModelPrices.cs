using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Pricing;

/// <summary>
/// A project's price overrides (set in TraceUi) as <see cref="ModelPrice"/>s for <see cref="ModelPriceTable.Match"/>,
/// where they beat the defaults. Cached briefly per project: the worker asks for every batch, and an edit in the
/// UI reaching new traces within <see cref="CacheFor"/> is soon enough.
/// </summary>
public sealed class ProjectModelPrices(IServiceScopeFactory scopes, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<ModelPrice>> ForProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue<IReadOnlyList<ModelPrice>>(("model-prices", projectId), out var cached) && cached is not null)
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().ModelPriceOverrides.AsNoTracking()
            .Where(p => p.ProjectId == projectId)
            .ToListAsync(cancellationToken);
        IReadOnlyList<ModelPrice> prices = rows.Select(ToModelPrice).ToList();
        cache.Set(("model-prices", projectId), prices, CacheFor);
        return prices;
    }

    public static ModelPrice ToModelPrice(ModelPriceOverride row) => new(
        row.ModelName,
        row.MatchPattern,
        JsonSerializer.Deserialize<Dictionary<string, decimal>>(row.PricesJson) ?? [],
        row.StartDate,
        row.ProjectId);

    public static string PricesJson(IReadOnlyDictionary<string, decimal> prices) => JsonSerializer.Serialize(prices);
}
