using System.Data.Common;
using System.Globalization;
using Storage.TraceStore.Queries;

namespace TraceUi.Analytics;

/// <summary>Traces grouped by session or by user, each group with its totals; the group column comes from a fixed list.</summary>
public enum TraceGroup
{
    Session,
    User,
}

public sealed record GroupTotals(string Id, long Traces, ulong Tokens, double Cost, DateTime FirstSeen, DateTime LastSeen);

public sealed record GroupTotalsPage(IReadOnlyList<GroupTotals> Items, long Total, int Page)
{
    public const int PageSize = 50;

    public int Pages => (int)Math.Max(1, Math.Ceiling(Total / (double)PageSize));
}

/// <summary>
/// Sessions and users: the traces of the range grouped by <c>session_id</c> or <c>user_id</c>, with their tokens and
/// cost, read from <c>trace_summaries</c> (one row per trace carrying both, so no join with observations), bounded by
/// project and time (the sort key's prefix).
/// </summary>
public sealed class GroupTotalsQuery(TraceRowQueries rows)
{
    public async Task<GroupTotalsPage> ListAsync(string projectId, TraceGroup group, TimeRange range, string? search, int page, CancellationToken cancellationToken)
    {
        var column = Column(group);
        var where = Where(projectId, range, column).When(search, "String", $"positionCaseInsensitive({column}, @) > 0");
        var offset = (Math.Max(1, page) - 1) * GroupTotalsPage.PageSize;
        var count = rows.CountAsync($"SELECT uniqExact({column}) FROM trace_summaries FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}", where, cancellationToken);
        var items = await rows.ReadAsync($"{Select(where, column)} ORDER BY last_seen DESC, id LIMIT {GroupTotalsPage.PageSize} OFFSET {offset}", where, Read, cancellationToken);
        return new GroupTotalsPage(items, await count, page);
    }

    public async Task<GroupTotals?> GetAsync(string projectId, TraceGroup group, string id, TimeRange range, CancellationToken cancellationToken)
    {
        var column = Column(group);
        var where = Where(projectId, range, column).When(id, "String", $"{column} = @");
        return (await rows.ReadAsync(Select(where, column), where, Read, cancellationToken)).SingleOrDefault();
    }

    private static string Column(TraceGroup group) => group == TraceGroup.Session ? "session_id" : "user_id";

    private static SqlFilter Where(string projectId, TimeRange range, string column) => range.Where(projectId)
        .Require($"{column} IS NOT NULL");

    private static string Select(SqlFilter where, string column) =>
        $"""
        SELECT assumeNotNull({column}) AS id, count() AS traces, sum(tokens) AS tokens, sum(cost) AS cost, min(timestamp) AS first_seen, max(timestamp) AS last_seen
        FROM trace_summaries FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}
        GROUP BY id
        """;

    private static GroupTotals Read(DbDataReader reader) => new(
        reader.GetString(0),
        Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
        Convert.ToUInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
        Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
        reader.GetDateTime(4),
        reader.GetDateTime(5));
}
