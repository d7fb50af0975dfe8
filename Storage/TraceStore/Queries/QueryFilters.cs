namespace Storage.TraceStore.Queries;

public sealed record TraceListFilter
{
    public string? UserId { get; init; }
    public string? Name { get; init; }
    public string? SessionId { get; init; }
    public string? Release { get; init; }
    public string? Version { get; init; }
    public string[]? Tags { get; init; }
    public string[]? Environments { get; init; }
    public DateTime? FromTimestamp { get; init; }
    public DateTime? ToTimestamp { get; init; }

    /// <summary>A validated ORDER BY clause (see <see cref="TraceOrder"/>).</summary>
    public string OrderBy { get; init; } = "timestamp DESC, id";
}

public sealed record ObservationListFilter
{
    public string? TraceId { get; init; }
    public string? Type { get; init; }
    public string? Name { get; init; }
    public string? Level { get; init; }
    public string? ParentObservationId { get; init; }
    public string? Version { get; init; }
    public string[]? Environments { get; init; }
    public DateTime? FromStartTime { get; init; }
    public DateTime? ToStartTime { get; init; }
}

public sealed record ScoreListFilter
{
    public string? TraceId { get; init; }
    public string? ObservationId { get; init; }
    public string? SessionId { get; init; }
    public string? Name { get; init; }
    public string? Source { get; init; }
    public string? DataType { get; init; }
    public DateTime? FromTimestamp { get; init; }
    public DateTime? ToTimestamp { get; init; }
}

/// <summary>Langfuse's <c>orderBy=field.asc|desc</c>, mapped onto an allow-list of columns.</summary>
public static class TraceOrder
{
    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["timestamp"] = "timestamp", ["name"] = "name", ["userId"] = "user_id", ["sessionId"] = "session_id",
        ["release"] = "release", ["version"] = "version", ["environment"] = "environment",
    };

    public static (string? Clause, string? Error) Parse(string? orderBy)
    {
        if (string.IsNullOrEmpty(orderBy))
        {
            return ("timestamp DESC, id", null);
        }

        var parts = orderBy.Split('.');
        if (parts.Length != 2 || !Columns.TryGetValue(parts[0], out var column) || parts[1] is not ("asc" or "desc"))
        {
            return (null, $"orderBy must be <field>.asc or <field>.desc with field one of {string.Join(", ", Columns.Keys)}");
        }

        return ($"{column} {parts[1].ToUpperInvariant()}, id", null);
    }
}
