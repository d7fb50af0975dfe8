using System.Collections.Concurrent;
using System.Text.Json;

namespace Storage.Pricing;

/// <summary>
/// Finds the price of a model: a project's own prices first, then the defaults shipped with the platform; among
/// candidates, the newest start date that is not in the future wins. The gateway and the ingestion worker both
/// price through this, so a call costs the same wherever it is counted.
/// </summary>
public sealed class ModelPriceTable(IReadOnlyList<ModelPrice> defaults)
{
    private const string DefaultsResource = "Storage.Pricing.default-model-prices.json";

    // Model names seen are few and repeat on every event, while a default table has dozens of patterns: the
    // defaults a name matches are remembered, up to a bound so that arbitrary names sent by clients cannot grow it.
    private const int RememberedModelNames = 10_000;
    private readonly ConcurrentDictionary<string, ModelPrice[]> _defaultsMatching = new(StringComparer.Ordinal);

    public IReadOnlyList<ModelPrice> Defaults { get; } = defaults;

    public static ModelPriceTable LoadDefaults()
    {
        using var stream = typeof(ModelPriceTable).Assembly.GetManifestResourceStream(DefaultsResource)
            ?? throw new InvalidOperationException($"Embedded resource {DefaultsResource} is missing.");
        var prices = JsonSerializer.Deserialize<List<ModelPrice>>(stream, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"{DefaultsResource} holds no prices.");
        return new ModelPriceTable(prices);
    }

    public ModelPrice? Match(string model, DateTime at, IReadOnlyList<ModelPrice>? projectPrices = null) =>
        Newest(Matching(projectPrices ?? [], model, out _), at) ?? Newest(DefaultsMatching(model), at);

    private ModelPrice[] DefaultsMatching(string model)
    {
        if (_defaultsMatching.TryGetValue(model, out var known))
        {
            return known;
        }

        var matching = Matching(Defaults, model, out var timedOut);
        // A match left undecided by its time limit is not remembered: the next event tries again.
        if (!timedOut && _defaultsMatching.Count < RememberedModelNames)
        {
            _defaultsMatching.TryAdd(model, matching);
        }

        return matching;
    }

    private static ModelPrice[] Matching(IReadOnlyList<ModelPrice> candidates, string model, out bool timedOut)
    {
        timedOut = false;
        List<ModelPrice>? matching = null;
        foreach (var price in candidates)
        {
            var matches = price.Matches(model, out var undecided);
            timedOut |= undecided;
            if (matches)
            {
                (matching ??= []).Add(price);
            }
        }

        return matching is null ? [] : [.. matching];
    }

    /// <summary>Among the prices in force at <paramref name="at"/>, the one that started last.</summary>
    private static ModelPrice? Newest(ModelPrice[] matching, DateTime at)
    {
        ModelPrice? best = null;
        foreach (var price in matching)
        {
            if (price.StartDate is { } start && start > at)
            {
                continue;
            }

            if (best is null || (price.StartDate ?? DateTime.MinValue) > (best.StartDate ?? DateTime.MinValue))
            {
                best = price;
            }
        }

        return best;
    }
}
