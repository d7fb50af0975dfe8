using System.Globalization;
using Storage.TraceStore;
using TraceIngest.Worker;

namespace TraceIngest.Queries;

/// <summary>
/// The read side of the public API over the trace store. Every query is scoped to the caller's project, reads
/// the latest live version of each row, and pages after filtering.
/// </summary>
public sealed class TraceQueries(ClickHouseTraceStore store, TimeProvider clock)
{
    public async Task<Paged<TraceView>> ListTracesAsync(string projectId, TraceListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.FromTimestamp, "DateTime64(3, 'UTC')", "timestamp >= @")
            .WhenFixed(filter.ToTimestamp, "DateTime64(3, 'UTC')", "timestamp < @")
            .When(filter.UserId, "String", "user_id = @")
            .When(filter.Name, "String", "name = @")
            .When(filter.SessionId, "String", "session_id = @")
            .When(filter.Release, "String", "release = @")
            .When(filter.Version, "String", "version = @")
            .When(filter.Tags, "Array(String)", "hasAll(tags, @)")
            .When(filter.Environments, "Array(String)", "has(@, environment)");
        var (total, rows) = await PageAsync("traces", TraceRowStore.TraceColumns, where, filter.OrderBy, page, TraceRowStore.ReadTrace, cancellationToken);
        var aggregates = await AggregateAsync(projectId, rows.Select(r => r.Id).ToArray(), cancellationToken);
        var scoreIds = await ScoreIdsByTraceAsync(projectId, rows.Select(r => r.Id).ToArray(), cancellationToken);
        return new Paged<TraceView>(
            rows.Select(r => TraceView.From(r, aggregates.GetValueOrDefault(r.Id), aggregates.GetValueOrDefault(r.Id)?.ObservationIds ?? [], scoreIds.GetValueOrDefault(r.Id) ?? [])).ToList(),
            page.Meta(total));
    }

    public async Task<TraceView?> GetTraceAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId).WhenFixed(traceId, "String", "id = @");
        var row = (await LatestAsync("traces", TraceRowStore.TraceColumns, where, "id", TraceRowStore.ReadTrace, cancellationToken)).SingleOrDefault();
        if (row is null)
        {
            return null;
        }

        var observations = await ObservationsOfTraceAsync(projectId, traceId, cancellationToken);
        var scores = await ListScoresAsync(projectId, new ScoreListFilter { TraceId = traceId }, new Page(1, 10_000), cancellationToken);
        var aggregate = Aggregate(observations);
        return TraceView.From(row, aggregate, observations.Select(o => (object)ObservationView.From(o)).ToList(), scores.Data.Cast<object>().ToList());
    }

    public async Task<Paged<ObservationView>> ListObservationsAsync(string projectId, ObservationListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.TraceId, "String", "trace_id = @")
            .WhenFixed(filter.Type, "String", "type = @")
            .WhenFixed(filter.FromStartTime, "DateTime64(3, 'UTC')", "start_time >= @")
            .WhenFixed(filter.ToStartTime, "DateTime64(3, 'UTC')", "start_time < @")
            .When(filter.Name, "String", "name = @")
            .When(filter.Level, "String", "level = @")
            .When(filter.ParentObservationId, "String", "parent_observation_id = @")
            .When(filter.Version, "String", "version = @")
            .When(filter.Environments, "Array(String)", "has(@, environment)");
        var (total, rows) = await PageAsync("observations", TraceRowStore.ObservationColumns, where, "start_time DESC, id", page, TraceRowStore.ReadObservation, cancellationToken);
        return new Paged<ObservationView>(rows.Select(ObservationView.From).ToList(), page.Meta(total));
    }

    public async Task<ObservationView?> GetObservationAsync(string projectId, string observationId, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId).WhenFixed(observationId, "String", "id = @");
        var rows = await LatestAsync("observations", TraceRowStore.ObservationColumns, where, "id", TraceRowStore.ReadObservation, cancellationToken);
        return rows.Count == 0 ? null : ObservationView.From(rows[0]);
    }

    public async Task<Paged<ScoreView>> ListScoresAsync(string projectId, ScoreListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.FromTimestamp, "DateTime64(3, 'UTC')", "timestamp >= @")
            .WhenFixed(filter.ToTimestamp, "DateTime64(3, 'UTC')", "timestamp < @")
            .When(filter.TraceId, "String", "trace_id = @")
            .When(filter.ObservationId, "String", "observation_id = @")
            .When(filter.SessionId, "String", "session_id = @")
            .When(filter.Name, "String", "name = @")
            .When(filter.Source, "String", "source = @")
            .When(filter.DataType, "String", "data_type = @");
        var (total, rows) = await PageAsync("scores", TraceRowStore.ScoreColumns, where, "timestamp DESC, id", page, TraceRowStore.ReadScore, cancellationToken);
        return new Paged<ScoreView>(rows.Select(ScoreView.From).ToList(), page.Meta(total));
    }

    public async Task<Paged<SessionView>> ListSessionsAsync(string projectId, DateTime? from, DateTime? to, string[]? environments, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(from, "DateTime64(3, 'UTC')", "timestamp >= @")
            .WhenFixed(to, "DateTime64(3, 'UTC')", "timestamp < @")
            .When(environments, "Array(String)", "has(@, environment)")
            .Require("session_id IS NOT NULL");
        var sessions = $"SELECT session_id, min(timestamp) AS created_at, any(environment) AS environment FROM {where.Latest("traces", TraceRowStore.TraceColumns)} WHERE {where.LatestWhere} GROUP BY session_id";
        var total = Convert.ToInt64(await store.Client.ExecuteScalarAsync($"SELECT count() FROM ({sessions})", where.Parameters, cancellationToken: cancellationToken), CultureInfo.InvariantCulture);
        using var reader = await store.Client.ExecuteReaderAsync($"{sessions} ORDER BY created_at DESC, session_id LIMIT {page.Limit} OFFSET {page.Offset}", where.Parameters, cancellationToken: cancellationToken);
        var data = new List<SessionView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            data.Add(new SessionView(reader.GetString(0), reader.GetDateTime(1), projectId, reader.GetString(2)));
        }

        return new Paged<SessionView>(data, page.Meta(total));
    }

    public async Task<SessionView?> GetSessionAsync(string projectId, string sessionId, CancellationToken cancellationToken)
    {
        var traces = await ListTracesAsync(projectId, new TraceListFilter { SessionId = sessionId, OrderBy = "timestamp ASC, id" }, new Page(1, 10_000), cancellationToken);
        return traces.Data.Count == 0
            ? null
            : new SessionView(sessionId, traces.Data.Min(t => t.Timestamp), projectId, traces.Data[0].Environment, traces.Data);
    }

    public async Task<Paged<DailyMetricsView>> DailyMetricsAsync(string projectId, TraceListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(filter.FromTimestamp, "DateTime64(3, 'UTC')", "timestamp >= @")
            .WhenFixed(filter.ToTimestamp, "DateTime64(3, 'UTC')", "timestamp < @")
            .When(filter.Name, "String", "name = @")
            .When(filter.UserId, "String", "user_id = @")
            .When(filter.Tags, "Array(String)", "hasAll(tags, @)")
            .When(filter.Environments, "Array(String)", "has(@, environment)");
        var traces = $"SELECT id, toDate(timestamp) AS day FROM {where.Latest("traces", TraceRowStore.TraceColumns)} WHERE {where.LatestWhere}";
        var observations = $"(SELECT trace_id, provided_model_name, usage_details, total_cost, is_deleted FROM observations WHERE project_id = {{project:String}} ORDER BY event_ts DESC LIMIT 1 BY id, project_id)";
        var sql = $"""
            SELECT t.day, coalesce(o.provided_model_name, '') AS model, uniqExact(t.id) AS traces, countIf(o.trace_id != '') AS observation_count,
                   sum(o.usage_details['input']) AS input, sum(o.usage_details['output']) AS output, sum(o.usage_details['total']) AS total,
                   sum(coalesce(o.total_cost, 0)) AS cost
            FROM ({traces}) AS t LEFT JOIN (SELECT * FROM {observations} WHERE is_deleted = 0) AS o ON o.trace_id = t.id
            GROUP BY t.day, model ORDER BY t.day DESC, model
            """;
        using var reader = await store.Client.ExecuteReaderAsync(sql, where.Parameters, cancellationToken: cancellationToken);
        var byDay = new SortedDictionary<DateTime, List<(string Model, long Traces, long Observations, ulong Input, ulong Output, ulong Total, double Cost)>>(Comparer<DateTime>.Create((a, b) => b.CompareTo(a)));
        while (await reader.ReadAsync(cancellationToken))
        {
            var day = reader.GetDateTime(0);
            if (!byDay.TryGetValue(day, out var models))
            {
                byDay[day] = models = [];
            }

            models.Add((reader.GetString(1), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture),
                Convert.ToUInt64(reader.GetValue(4), CultureInfo.InvariantCulture), Convert.ToUInt64(reader.GetValue(5), CultureInfo.InvariantCulture),
                Convert.ToUInt64(reader.GetValue(6), CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(7), CultureInfo.InvariantCulture)));
        }

        var days = byDay.Select(d => new DailyMetricsView(
            d.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            d.Value.Max(m => m.Traces),
            d.Value.Sum(m => m.Observations),
            d.Value.Sum(m => m.Cost),
            d.Value.Where(m => m.Model.Length > 0).Select(m => new DailyUsageView(m.Model, m.Input, m.Output, m.Total, m.Traces, m.Observations, m.Cost)).ToList())).ToList();
        return new Paged<DailyMetricsView>(days.Skip(page.Offset).Take(page.Limit).ToList(), page.Meta(days.Count));
    }

    /// <summary>Writes a deleted version of the trace and of its observations and scores; reads stop showing them at once.</summary>
    public async Task<bool> DeleteTraceAsync(string projectId, string traceId, TraceRowStore rows, CancellationToken cancellationToken)
    {
        var trace = (await rows.ReadTracesAsync(projectId, [traceId], cancellationToken)).GetValueOrDefault(traceId);
        if (trace is null)
        {
            return false;
        }

        var deletedAt = clock.GetUtcNow().UtcDateTime;
        foreach (var (table, idColumn, columns) in new[]
        {
            ("traces", "id", TraceRowStore.TraceColumns),
            ("observations", "trace_id", TraceRowStore.ObservationColumns),
            ("scores", "trace_id", TraceRowStore.ScoreColumns),
        })
        {
            var where = new SqlFilter(projectId).WhenFixed(traceId, "String", $"{idColumn} = @");
            var deletedAtValue = where.Bind(deletedAt, "DateTime64(3, 'UTC')");
            var select = string.Join(", ", columns.Select(c => c is "event_ts" or "updated_at" ? deletedAtValue : c));
            await store.Client.ExecuteNonQueryAsync(
                $"INSERT INTO {table} ({string.Join(", ", columns)}, is_deleted) SELECT {select}, 1 FROM {table} WHERE {where.FixedWhere} ORDER BY event_ts DESC LIMIT 1 BY id, project_id",
                where.Parameters,
                cancellationToken: cancellationToken);
        }

        return true;
    }

    private async Task<List<ObservationRow>> ObservationsOfTraceAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId).WhenFixed(traceId, "String", "trace_id = @");
        return await LatestAsync("observations", TraceRowStore.ObservationColumns, where, "start_time, id", TraceRowStore.ReadObservation, cancellationToken);
    }

    private async Task<Dictionary<string, TraceAggregate>> AggregateAsync(string projectId, string[] traceIds, CancellationToken cancellationToken)
    {
        if (traceIds.Length == 0)
        {
            return [];
        }

        var where = new SqlFilter(projectId).WhenFixed(traceIds, "Array(String)", "has(@, trace_id)");
        var rows = await LatestAsync("observations", TraceRowStore.ObservationColumns, where, "start_time, id", TraceRowStore.ReadObservation, cancellationToken);
        return rows.GroupBy(r => r.TraceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Aggregate(g.ToList())!, StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, List<object>>> ScoreIdsByTraceAsync(string projectId, string[] traceIds, CancellationToken cancellationToken)
    {
        if (traceIds.Length == 0)
        {
            return [];
        }

        var where = new SqlFilter(projectId).When(traceIds, "Array(String)", "has(@, trace_id)");
        var rows = await LatestAsync("scores", TraceRowStore.ScoreColumns, where, "id", TraceRowStore.ReadScore, cancellationToken);
        return rows.Where(s => s.TraceId is not null).GroupBy(s => s.TraceId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(s => (object)s.Id).ToList(), StringComparer.Ordinal);
    }

    private static TraceAggregate? Aggregate(IReadOnlyList<ObservationRow> observations) =>
        observations.Count == 0
            ? null
            : new TraceAggregate(
                (observations.Max(o => o.EndTime ?? o.StartTime) - observations.Min(o => o.StartTime)).TotalSeconds,
                observations.Sum(o => o.TotalCost ?? 0),
                observations.Select(o => o.Id).ToList());

    /// <summary>One page of the latest live rows matching <paramref name="where"/>, and how many match in all.</summary>
    private async Task<(long Total, List<T> Rows)> PageAsync<T>(
        string table, string[] columns, SqlFilter where, string orderBy, Page page, Func<System.Data.Common.DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var from = $"{where.Latest(table, columns)} WHERE {where.LatestWhere}";
        var total = Convert.ToInt64(await store.Client.ExecuteScalarAsync($"SELECT count() FROM {from}", where.Parameters, cancellationToken: cancellationToken), CultureInfo.InvariantCulture);
        var rows = await ReadAsync($"SELECT {string.Join(", ", columns)} FROM {from} ORDER BY {orderBy} LIMIT {page.Limit} OFFSET {page.Offset}", where, read, cancellationToken);
        return (total, rows);
    }

    /// <summary>Every latest live row matching <paramref name="where"/>, in <paramref name="orderBy"/> order.</summary>
    private Task<List<T>> LatestAsync<T>(
        string table, string[] columns, SqlFilter where, string orderBy, Func<System.Data.Common.DbDataReader, T> read, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {string.Join(", ", columns)} FROM {where.Latest(table, columns)} WHERE {where.LatestWhere} ORDER BY {orderBy}", where, read, cancellationToken);

    private async Task<List<T>> ReadAsync<T>(string sql, SqlFilter where, Func<System.Data.Common.DbDataReader, T> read, CancellationToken cancellationToken)
    {
        using var reader = await store.Client.ExecuteReaderAsync(sql, where.Parameters, cancellationToken: cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
