using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Storage.Pricing;

/// <summary>
/// Prices of one model, in US dollars per token, by usage key (<c>input</c>, <c>output</c>,
/// <c>input_cached_tokens</c>, <c>input_cache_read</c>, <c>input_cache_creation</c>, <c>output_reasoning_tokens</c>, …).
/// <see cref="MatchPattern"/> is a case-insensitive regular expression over the model name as clients report it.
/// </summary>
public sealed record ModelPrice(
    string ModelName,
    string MatchPattern,
    IReadOnlyDictionary<string, decimal> Prices,
    DateTime? StartDate = null,
    string? ProjectId = null)
{
    private Regex? _regex;

    /// <summary>
    /// The pattern on the linear-time engine, so no match needs a time limit; a pattern that engine cannot run
    /// (lookarounds, backreferences) falls back to backtracking under <see cref="BacktrackingTimeout"/>.
    /// </summary>
    [JsonIgnore]
    internal Regex Regex => _regex ??= Compile(MatchPattern);

    internal static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromMilliseconds(50);

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, BacktrackingTimeout);
        }
    }

    /// <summary>Cost per usage key present in both the usage and the prices, plus their total.</summary>
    public Dictionary<string, double> Cost(IReadOnlyDictionary<string, ulong> usage)
    {
        var cost = new Dictionary<string, double>(StringComparer.Ordinal);
        decimal total = 0;
        foreach (var (key, count) in usage)
        {
            if (key != "total" && Prices.TryGetValue(key, out var price))
            {
                var amount = price * count;
                cost[key] = (double)amount;
                total += amount;
            }
        }

        if (cost.Count > 0)
        {
            cost["total"] = (double)total;
        }

        return cost;
    }
}
