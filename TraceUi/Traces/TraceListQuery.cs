using System.Data.Common;
using System.Globalization;
using Storage.TraceStore.Queries;

namespace TraceUi.Traces;

/// <summary>
/// The trace list: one page of traces in a time range, then the totals of just those traces from their summaries
/// (<c>trace_summaries</c>, kept by the ingestion worker). Range reads use <c>FINAL</c> (the latest live version of each row) and are bounded by project and
/// time, the leading columns of the tables' sort key, so ClickHouse reads only the parts and granules in range.
/// </summary>
public sealed class TraceListQuery(TraceRowQueries rows)
{
    /// <summary>How far an observation may start outside the range and still select its trace by model or level.</summary>
    private static readonly TimeSpan ObservationMargin = TimeSpan.FromDays(1);

    public async Task<TraceListPage> RunAsync(string projectId, TraceSearch search, CancellationToken cancellationToken)
    {
        var where = Where(projectId, search);
        var traces = $"SELECT id, timestamp, name, user_id, session_id, tags, environment FROM traces FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}";
        var direction = search.Descending ? "DESC" : "ASC";
        var offset = (Math.Max(1, search.Page) - 1) * TraceSearch.PageSize;
        var page = search.Sort switch
        {
            TraceSort.Latency or TraceSort.Tokens or TraceSort.Cost =>
                $"""
                SELECT t.id, t.timestamp, t.name, t.user_id, t.session_id, t.tags, t.environment FROM ({traces}) AS t
                LEFT JOIN ({SummariesInRange(where)}) AS o ON o.trace_id = t.id
                ORDER BY {SortKey(search.Sort)} {direction}, t.timestamp DESC, t.id LIMIT {TraceSearch.PageSize} OFFSET {offset}
                """,
            _ => $"{traces} ORDER BY {SortKey(search.Sort)} {direction}, timestamp DESC, id LIMIT {TraceSearch.PageSize} OFFSET {offset}",
        };

        // Two connections: the count and the page run side by side.
        var count = rows.CountAsync($"SELECT count() FROM traces FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}", where, cancellationToken);
        var items = await rows.ReadAsync(page, where, ReadItem, cancellationToken);
        var totals = items.Count == 0
            ? []
            : await TotalsAsync(projectId, items.Select(i => i.Id).ToArray(), items.Min(i => i.Timestamp), items.Max(i => i.Timestamp), cancellationToken);
        return new TraceListPage(items.Select(i => i with { Totals = totals.GetValueOrDefault(i.Id) ?? TraceTotals.None }).ToList(), await count, search.Page);
    }

    /// <summary>Per trace: latency from first start to last end, tokens, cost, the highest level and the observation count.</summary>
    /// <remarks>
    /// From <c>trace_summaries</c>, which the worker recomputes from the observations after each write; the traces'
    /// own time range (<paramref name="from"/> to <paramref name="to"/>, inclusive) and ids select a few granules
    /// by the sort key. Traces without observations have no totals.
    /// </remarks>
    public async Task<Dictionary<string, TraceTotals>> TotalsAsync(string projectId, string[] traceIds, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(traceIds, "Array(String)", "trace_id IN @")
            .WhenFixed(from, TraceRowQueries.Timestamp, "timestamp >= @")
            .WhenFixed(to, TraceRowQueries.Timestamp, "timestamp <= @")
            .Require("observations > 0");
        var sql = $"SELECT trace_id, {SummaryColumns} FROM trace_summaries FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}";
        var totals = await rows.ReadAsync(sql, where, ReadTotals, cancellationToken);
        return totals.ToDictionary(t => t.TraceId, t => t.Totals, StringComparer.Ordinal);
    }

    private const string SummaryColumns = "latency_ms, input_tokens, output_tokens, tokens, cost, level_rank, observations";

    /// <summary>The summaries of the traces in the list's range, for sorting by their totals: same project, same time bounds.</summary>
    private static string SummariesInRange(SqlFilter where) =>
        $"SELECT trace_id, {SummaryColumns} FROM trace_summaries FINAL WHERE {where.FixedWhere} AND is_deleted = 0";

    private static SqlFilter Where(string projectId, TraceSearch search)
    {
        var where = search.Range.Where(projectId)
            .When(search.Name, "String", "name = @")
            .When(search.UserId, "String", "user_id = @")
            .When(search.SessionId, "String", "session_id = @")
            .When(search.Tags, "Array(String)", "hasAll(tags, @)")
            .When(search.Environment, "String", "environment = @")
            .When(search.Text, "String", "(id = @ OR positionCaseInsensitive(name, @) > 0)");
        if (!string.IsNullOrEmpty(search.MetadataKey))
        {
            where = string.IsNullOrEmpty(search.MetadataValue)
                ? where.When(search.MetadataKey, "String", "mapContains(metadata, @)")
                : where.Require($"metadata[{where.Bind(search.MetadataKey, "String")}] = {where.Bind(search.MetadataValue, "String")}");
        }

        if (!string.IsNullOrEmpty(search.Model) || !string.IsNullOrEmpty(search.Level))
        {
            var observations = new List<string>
            {
                "project_id = {project:String}",
                $"start_time >= {where.Bind(search.Range.From - ObservationMargin, TraceRowQueries.Timestamp)}",
                $"start_time < {where.Bind(search.Range.To + ObservationMargin, TraceRowQueries.Timestamp)}",
            };
            if (!string.IsNullOrEmpty(search.Model))
            {
                observations.Add($"provided_model_name = {where.Bind(search.Model, "String")}");
            }

            if (!string.IsNullOrEmpty(search.Level))
            {
                observations.Add($"level = {where.Bind(search.Level, "String")}");
            }

            where = where.Require($"id IN (SELECT trace_id FROM observations FINAL WHERE {string.Join(" AND ", observations)})");
        }

        return where;
    }

    private static string SortKey(TraceSort sort) => sort switch
    {
        TraceSort.Name => "name",
        TraceSort.User => "user_id",
        TraceSort.Session => "session_id",
        TraceSort.Latency => "o.latency_ms",
        TraceSort.Tokens => "o.tokens",
        TraceSort.Cost => "o.cost",
        _ => "timestamp",
    };

    private static TraceListItem ReadItem(DbDataReader reader) => new(
        reader.GetString(0), reader.GetDateTime(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
        (string[])reader.GetValue(5), reader.GetString(6), TraceTotals.None);

    private static (string TraceId, TraceTotals Totals) ReadTotals(DbDataReader reader) => (reader.GetString(0), new TraceTotals(
        Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture) / 1000.0,
        Convert.ToUInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
        Convert.ToUInt64(reader.GetValue(3), CultureInfo.InvariantCulture),
        Convert.ToUInt64(reader.GetValue(4), CultureInfo.InvariantCulture),
        Convert.ToDouble(reader.GetValue(5), CultureInfo.InvariantCulture),
        Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture) switch { 3 => "ERROR", 2 => "WARNING", 1 => "DEFAULT", _ => "DEBUG" },
        Convert.ToInt64(reader.GetValue(7), CultureInfo.InvariantCulture)));
}
