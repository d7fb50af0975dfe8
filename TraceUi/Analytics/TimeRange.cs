using System.Globalization;
using Storage.TraceStore.Queries;

namespace TraceUi.Analytics;

/// <summary>
/// The time window a page reads: a preset ending now (<c>1h</c>, <c>24h</c>, <c>7d</c>, <c>30d</c>, <c>90d</c>) or an
/// explicit from/to. Every trace-store query is bounded by it, so reads prune on the tables' (project, date) key.
/// </summary>
public sealed record TimeRange(string Preset, DateTime From, DateTime To)
{
    public const string DefaultPreset = "24h";

    public static IReadOnlyList<(string Key, string Label)> Presets { get; } =
        [("1h", "Past hour"), ("24h", "Past 24 hours"), ("7d", "Past 7 days"), ("30d", "Past 30 days"), ("90d", "Past 90 days"), ("365d", "Past year")];

    public TimeSpan Length => To - From;

    public static TimeRange Parse(string? preset, string? from, string? to, DateTime now)
    {
        if (TryTime(from, out var start) && TryTime(to, out var end) && start < end)
        {
            return new TimeRange("custom", start, end);
        }

        var key = Presets.Any(p => p.Key == preset) ? preset! : DefaultPreset;
        var length = key[^1] == 'h'
            ? TimeSpan.FromHours(int.Parse(key[..^1], CultureInfo.InvariantCulture))
            : TimeSpan.FromDays(int.Parse(key[..^1], CultureInfo.InvariantCulture));
        return new TimeRange(key, now - length, now);
    }

    /// <summary>A project's rows whose <paramref name="column"/> (a creation-time column of the sort key) falls in the range.</summary>
    public SqlFilter Where(string projectId, string column = "timestamp") => new SqlFilter(projectId)
        .WhenFixed(From, TraceRowQueries.Timestamp, column + " >= @")
        .WhenFixed(To, TraceRowQueries.Timestamp, column + " < @");

    /// <summary>A bucket width that gives a chart between about 24 and 90 points.</summary>
    public (int Seconds, string Label) Bucket() => Length.TotalHours switch
    {
        <= 2 => (60, "minute"),
        <= 48 => (3600, "hour"),
        <= 8 * 24 => (6 * 3600, "6 hours"),
        _ => (86400, "day"),
    };

    private static bool TryTime(string? text, out DateTime value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)
            || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return false;
        }

        value = DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return true;
    }
}
