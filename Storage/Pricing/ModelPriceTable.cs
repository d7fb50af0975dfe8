using System.Text.Json;
using System.Text.RegularExpressions;

namespace Storage.Pricing;

/// <summary>
/// Finds the price of a model: a project's own prices first, then the defaults shipped with the platform; among
/// candidates, the newest start date that is not in the future wins. The gateway and the ingestion worker both
/// price through this, so a call costs the same wherever it is counted.
/// </summary>
public sealed class ModelPriceTable(IReadOnlyList<ModelPrice> defaults)
{
    private const string DefaultsResource = "Storage.Pricing.default-model-prices.json";

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
        Best(projectPrices ?? [], model, at) ?? Best(Defaults, model, at);

    private static ModelPrice? Best(IReadOnlyList<ModelPrice> candidates, string model, DateTime at)
    {
        ModelPrice? best = null;
        foreach (var price in candidates)
        {
            if (price.StartDate is { } start && start > at)
            {
                continue;
            }

            bool matches;
            try
            {
                matches = price.Regex.IsMatch(model);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (matches && (best is null || (price.StartDate ?? DateTime.MinValue) > (best.StartDate ?? DateTime.MinValue)))
            {
                best = price;
            }
        }

        return best;
    }
}
