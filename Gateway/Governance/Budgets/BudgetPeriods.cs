using Gateway.Configuration;

namespace Gateway.Governance.Budgets;

/// <summary>Where a resetting budget stands: every replica computes the same period from the stored reset time.</summary>
internal static class BudgetPeriods
{
    /// <summary>
    /// The end of the period containing <paramref name="now"/>: the stored reset time, moved on by whole durations
    /// when it has passed (the reset job writes the same value back later).
    /// </summary>
    public static DateTimeOffset CurrentEnd(DateTimeOffset storedResetAt, BudgetDuration duration, DateTimeOffset now)
    {
        if (storedResetAt > now)
        {
            return storedResetAt;
        }

        if (duration.Unit != BudgetDurationUnit.Months)
        {
            var length = duration.After(storedResetAt) - storedResetAt;
            var periods = ((now - storedResetAt).Ticks / length.Ticks) + 1;
            return storedResetAt + TimeSpan.FromTicks(length.Ticks * periods);
        }

        var end = storedResetAt;
        while (end <= now)
        {
            end = duration.After(end);
        }

        return end;
    }

    public static BudgetDuration? Parse(string? text) => text is not null && BudgetDuration.TryParse(text, out var duration) ? duration : null;
}
