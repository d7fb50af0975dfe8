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

    private Regex? _linear;
    private bool _linearUnsupported;

    [JsonIgnore]
    internal Regex Regex => _regex ??= new Regex(MatchPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, BacktrackingTimeout);

    internal static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether <paramref name="model"/> matches. The time limit is wall-clock time, which a busy machine can exceed on
    /// any input, so a match that runs out of time is decided again on the linear-time engine (built only then: it
    /// costs about 20 ms a pattern to build); <paramref name="undecided"/> when that engine cannot run the pattern
    /// (lookarounds, backreferences) either.
    /// </summary>
    internal bool Matches(string model, out bool undecided)
    {
        undecided = false;
        try
        {
            return Regex.IsMatch(model);
        }
        catch (RegexMatchTimeoutException)
        {
            if (Linear() is { } linear)
            {
                return linear.IsMatch(model);
            }

            undecided = true;
            return false;
        }
    }

    private Regex? Linear()
    {
        if (_linear is null && !_linearUnsupported)
        {
            try
            {
                _linear = new Regex(MatchPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                _linearUnsupported = true;
            }
        }

        return _linear;
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
