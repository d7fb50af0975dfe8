using TraceUi.Analytics;

namespace TraceUi.Traces;

/// <summary>What the trace list shows: a time range, filters, free text on name or id, a sort column and a page.</summary>
public sealed record TraceSearch
{
    public const int PageSize = 50;

    public required TimeRange Range { get; init; }
    public string? Name { get; init; }
    public string? UserId { get; init; }
    public string? SessionId { get; init; }
    public string[] Tags { get; init; } = [];
    public string? Model { get; init; }
    public string? Level { get; init; }
    public string? Environment { get; init; }
    public string? MetadataKey { get; init; }
    public string? MetadataValue { get; init; }
    public string? Text { get; init; }
    public TraceSort Sort { get; init; } = TraceSort.Timestamp;
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;

    public static IReadOnlyList<string> Levels { get; } = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];
}

public enum TraceSort
{
    Timestamp,
    Name,
    User,
    Session,
    Latency,
    Tokens,
    Cost,
}

public sealed record TraceListItem(
    string Id, DateTime Timestamp, string Name, string? UserId, string? SessionId, IReadOnlyList<string> Tags, string Environment,
    TraceTotals Totals);

/// <summary>What a trace adds up to over its observations.</summary>
public sealed record TraceTotals(double? LatencySeconds, ulong InputTokens, ulong OutputTokens, ulong TotalTokens, double Cost, string Level, long Observations)
{
    public static TraceTotals None { get; } = new(null, 0, 0, 0, 0, "DEFAULT", 0);
}

public sealed record TraceListPage(IReadOnlyList<TraceListItem> Items, long Total, int Page)
{
    public int Pages => (int)Math.Max(1, Math.Ceiling(Total / (double)TraceSearch.PageSize));
}
