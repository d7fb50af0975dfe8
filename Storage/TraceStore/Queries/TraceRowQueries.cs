using System.Data.Common;
using System.Globalization;
using ClickHouse.Driver.Utility;
using Storage.TraceStore.Rows;

namespace Storage.TraceStore.Queries;

/// <summary>
/// Rows of the trace store as the read side sees them: every query scoped to one project, reading the latest live
/// version of each row, and paging after filtering. The public read API and TraceUi both read through this.
/// </summary>
public sealed class TraceRowQueries(ClickHouseTraceStore store)
{
    public const string Timestamp = "DateTime64(3, 'UTC')";

    public ClickHouseTraceStore Store => store;

    /// <summary>A trace filter's conditions; fixed fields (time) before deduplication, the others after it.</summary>
    public static SqlFilter TraceWhere(string projectId, TraceListFilter filter) => new SqlFilter(projectId)
        .WhenFixed(filter.FromTimestamp, Timestamp, "timestamp >= @")
        .WhenFixed(filter.ToTimestamp, Timestamp, "timestamp < @")
        .When(filter.UserId, "String", "user_id = @")
        .When(filter.Name, "String", "name = @")
        .When(filter.SessionId, "String", "session_id = @")
        .When(filter.Release, "String", "release = @")
        .When(filter.Version, "String", "version = @")
        .When(filter.Tags, "Array(String)", "hasAll(tags, @)")
        .When(filter.Environments, "Array(String)", "has(@, environment)");

    public async Task<Paged<TraceRow>> ListTracesAsync(string projectId, TraceListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var (total, rows) = await PageAsync(projectId, "traces", TraceRowReader.TraceColumns, TraceWhere(projectId, filter), filter.OrderBy, page, TraceRowReader.ReadTrace, row => row.Id, cancellationToken);
        return new Paged<TraceRow>(rows, page.Meta(total));
    }

    public async Task<TraceRow?> GetTraceAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId).WhenFixed(traceId, "String", "id = @");
        return (await LatestAsync("traces", TraceRowReader.TraceColumns, where, "id", TraceRowReader.ReadTrace, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Every observation of the given traces, in start order.</summary>
    public Task<List<ObservationRow>> ObservationsOfTracesAsync(string projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        if (traceIds.Count == 0)
        {
            return Task.FromResult(new List<ObservationRow>());
        }

        var where = traceIds.Count == 1
            ? new SqlFilter(projectId).WhenFixed(traceIds.First(), "String", "trace_id = @")
            : new SqlFilter(projectId).WhenFixed(traceIds.ToArray(), "Array(String)", "has(@, trace_id)");
        return LatestAsync("observations", TraceRowReader.ObservationColumns, where, "start_time, id", TraceRowReader.ReadObservation, cancellationToken);
    }

    public async Task<Paged<ObservationRow>> ListObservationsAsync(string projectId, ObservationListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.TraceId, "String", "trace_id = @")
            .WhenFixed(filter.Type, "String", "type = @")
            .WhenFixed(filter.FromStartTime, Timestamp, "start_time >= @")
            .WhenFixed(filter.ToStartTime, Timestamp, "start_time < @")
            .When(filter.Name, "String", "name = @")
            .When(filter.Level, "String", "level = @")
            .When(filter.ParentObservationId, "String", "parent_observation_id = @")
            .When(filter.Version, "String", "version = @")
            .When(filter.Environments, "Array(String)", "has(@, environment)");
        var (total, rows) = await PageAsync(projectId, "observations", TraceRowReader.ObservationColumns, where, "start_time DESC, id", page, TraceRowReader.ReadObservation, row => row.Id, cancellationToken);
        return new Paged<ObservationRow>(rows, page.Meta(total));
    }

    public async Task<ObservationRow?> GetObservationAsync(string projectId, string observationId, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId).WhenFixed(observationId, "String", "id = @");
        var rows = await LatestAsync("observations", TraceRowReader.ObservationColumns, where, "id", TraceRowReader.ReadObservation, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<Paged<ScoreRow>> ListScoresAsync(string projectId, ScoreListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.FromTimestamp, Timestamp, "timestamp >= @")
            .WhenFixed(filter.ToTimestamp, Timestamp, "timestamp < @")
            .When(filter.TraceId, "String", "trace_id = @")
            .When(filter.ObservationId, "String", "observation_id = @")
            .When(filter.SessionId, "String", "session_id = @")
            .When(filter.Name, "String", "name = @")
            .When(filter.Source, "String", "source = @")
            .When(filter.DataType, "String", "data_type = @");
        var (total, rows) = await PageAsync(projectId, "scores", TraceRowReader.ScoreColumns, where, "timestamp DESC, id", page, TraceRowReader.ReadScore, row => row.Id, cancellationToken);
        return new Paged<ScoreRow>(rows, page.Meta(total));
    }

    /// <summary>Every score attached to the given traces.</summary>
    public Task<List<ScoreRow>> ScoresOfTracesAsync(string projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        if (traceIds.Count == 0)
        {
            return Task.FromResult(new List<ScoreRow>());
        }

        var where = new SqlFilter(projectId).When(traceIds.ToArray(), "Array(String)", "has(@, trace_id)");
        return LatestAsync("scores", TraceRowReader.ScoreColumns, where, "timestamp, id", TraceRowReader.ReadScore, cancellationToken);
    }

    /// <summary>One page of the latest live rows matching <paramref name="where"/>, and how many match in all.</summary>
    /// <remarks>
    /// The page is chosen over the columns filters and sort orders use, then just its rows are read in full: the
    /// inputs and outputs, most of a row's bytes, are read for one page instead of for every row in range.
    /// </remarks>
    private async Task<(long Total, List<T> Rows)> PageAsync<T>(
        string projectId, string table, string[] columns, SqlFilter where, string orderBy, Page page, Func<DbDataReader, T> read, Func<T, string> idOf, CancellationToken cancellationToken)
    {
        var light = columns.Except(PayloadColumns).ToArray();
        var from = $"{where.Latest(table, light)} WHERE {where.LatestWhere}";
        // Two connections: the count and the page run side by side.
        var total = CountAsync($"SELECT count() FROM {from}", where, cancellationToken);
        var ids = await ReadAsync($"SELECT id FROM {from} ORDER BY {orderBy} LIMIT {page.Limit} OFFSET {page.Offset}", where, reader => reader.GetString(0), cancellationToken);
        if (ids.Count == 0)
        {
            return (await total, []);
        }

        // A filter of its own: the count may still be reading the other one's parameters.
        var byId = new SqlFilter(projectId).WhenFixed(ids.ToArray(), "Array(String)", "id IN @");
        var rows = await ReadAsync($"SELECT {string.Join(", ", columns)} FROM {byId.Latest(table, columns)}", byId, read, cancellationToken);
        var position = ids.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
        return (await total, rows.OrderBy(row => position[idOf(row)]).ToList());
    }

    /// <summary>The columns that hold a row's payload; no filter or sort order uses them.</summary>
    private static readonly string[] PayloadColumns = ["input", "output"];

    /// <summary>Every latest live row matching <paramref name="where"/>, in <paramref name="orderBy"/> order.</summary>
    private Task<List<T>> LatestAsync<T>(
        string table, string[] columns, SqlFilter where, string orderBy, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {string.Join(", ", columns)} FROM {where.Latest(table, columns)} WHERE {where.LatestWhere} ORDER BY {orderBy}", where, read, cancellationToken);

    /// <summary>Runs a statement built on <paramref name="where"/> and reads every row it returns.</summary>
    public async Task<List<T>> ReadAsync<T>(string sql, SqlFilter where, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        using var reader = await store.Client.ExecuteReaderAsync(sql, where.Parameters, cancellationToken: cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Runs a statement built on <paramref name="where"/> that returns one count.</summary>
    public async Task<long> CountAsync(string sql, SqlFilter where, CancellationToken cancellationToken) =>
        Convert.ToInt64(await store.Client.ExecuteScalarAsync(sql, where.Parameters, cancellationToken: cancellationToken), CultureInfo.InvariantCulture);
}
