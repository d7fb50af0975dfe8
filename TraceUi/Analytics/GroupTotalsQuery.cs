using System.Data.Common;
using System.Globalization;
using Storage.TraceStore.Queries;
using TraceUi.Traces;

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
/// Sessions and users: traces of the range grouped by <c>session_id</c> or <c>user_id</c>, joined with the
/// tokens and cost of their observations. Both sides are bounded by project and time (the sort key's prefix).
/// </summary>
public sealed class GroupTotalsQuery(TraceRowQueries rows)
{
    public async Task<GroupTotalsPage> ListAsync(string projectId, TraceGroup group, TimeRange range, string? search, int page, CancellationToken cancellationToken)
    {
        var column = Column(group);
        var where = Where(projectId, range, column).When(search, "String", $"positionCaseInsensitive({column}, @) > 0");
        var offset = (Math.Max(1, page) - 1) * GroupTotalsPage.PageSize;
        var count = rows.CountAsync($"SELECT uniqExact({column}) FROM traces FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}", where, cancellationToken);
        var items = await rows.ReadAsync($"{Select(where, range, column)} ORDER BY last_seen DESC, id LIMIT {GroupTotalsPage.PageSize} OFFSET {offset}", where, Read, cancellationToken);
        return new GroupTotalsPage(items, await count, page);
    }

    public async Task<GroupTotals?> GetAsync(string projectId, TraceGroup group, string id, TimeRange range, CancellationToken cancellationToken)
    {
        var column = Column(group);
        var where = Where(projectId, range, column).When(id, "String", $"{column} = @");
        return (await rows.ReadAsync(Select(where, range, column), where, Read, cancellationToken)).SingleOrDefault();
    }

    private static string Column(TraceGroup group) => group == TraceGroup.Session ? "session_id" : "user_id";

    private static SqlFilter Where(string projectId, TimeRange range, string column) => range.Where(projectId)
        .Require($"{column} IS NOT NULL");

    private static string Select(SqlFilter where, TimeRange range, string column)
    {
        var from = where.Bind(range.From - TraceListQuery.ObservationMargin, TraceRowQueries.Timestamp);
        var to = where.Bind(range.To + TraceListQuery.ObservationMargin, TraceRowQueries.Timestamp);
        return $"""
            SELECT t.{column} AS id, count() AS traces, sum(o.tokens) AS tokens, sum(o.cost) AS cost, min(t.timestamp) AS first_seen, max(t.timestamp) AS last_seen
            FROM (SELECT id, {column}, timestamp FROM traces FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}) AS t
            LEFT JOIN (
                SELECT trace_id, sum(if(mapContains(usage_details, 'total'), usage_details['total'], usage_details['input'] + usage_details['output'])) AS tokens,
                       sum(coalesce(total_cost, 0)) AS cost
                FROM observations FINAL WHERE project_id = {"{project:String}"} AND start_time >= {from} AND start_time < {to} GROUP BY trace_id
            ) AS o ON o.trace_id = t.id
            GROUP BY id
            """;
    }

    private static GroupTotals Read(DbDataReader reader) => new(
        reader.GetString(0),
        Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
        Convert.ToUInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
        Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
        reader.GetDateTime(4),
        reader.GetDateTime(5));
}
