using System.Globalization;
using System.Text.RegularExpressions;

namespace Storage.Governance;

/// <summary>LiteLLM's durations (budget periods, key lifetimes, grace periods): a count and a unit, <c>30s</c>, <c>30m</c>, <c>30h</c>, <c>30d</c>, <c>2w</c> or <c>1mo</c>.</summary>
public sealed partial record BudgetDuration(int Count, BudgetDurationUnit Unit)
{
    public static bool TryParse(string text, out BudgetDuration? duration)
    {
        var match = Pattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["count"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            duration = null;
            return false;
        }

        duration = new BudgetDuration(count, match.Groups["unit"].Value switch
        {
            "s" => BudgetDurationUnit.Seconds,
            "m" => BudgetDurationUnit.Minutes,
            "h" => BudgetDurationUnit.Hours,
            "d" => BudgetDurationUnit.Days,
            "w" => BudgetDurationUnit.Weeks,
            _ => BudgetDurationUnit.Months,
        });
        return true;
    }

    /// <summary>The moment one duration after <paramref name="from"/> (calendar months for <c>mo</c>).</summary>
    public DateTimeOffset After(DateTimeOffset from) => Unit switch
    {
        BudgetDurationUnit.Seconds => from.AddSeconds(Count),
        BudgetDurationUnit.Minutes => from.AddMinutes(Count),
        BudgetDurationUnit.Hours => from.AddHours(Count),
        BudgetDurationUnit.Days => from.AddDays(Count),
        BudgetDurationUnit.Weeks => from.AddDays(7 * Count),
        _ => from.AddMonths(Count),
    };

    public override string ToString() => Count.ToString(CultureInfo.InvariantCulture) + Unit switch
    {
        BudgetDurationUnit.Seconds => "s",
        BudgetDurationUnit.Minutes => "m",
        BudgetDurationUnit.Hours => "h",
        BudgetDurationUnit.Days => "d",
        BudgetDurationUnit.Weeks => "w",
        _ => "mo",
    };

    [GeneratedRegex("^(?<count>[0-9]+)(?<unit>mo|s|m|h|d|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

public enum BudgetDurationUnit
{
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
}
