using System.Globalization;
using Storage.TraceStore;
using Storage.TraceStore.Queries;
using Storage.TraceStore.Rows;
using Storage.TraceStore.Summaries;
using TraceIngest.Worker;

namespace TraceIngest.Queries;

/// <summary>
/// The public read API's queries: rows from the shared <see cref="TraceRowQueries"/>, shaped as Langfuse's
/// responses, plus the aggregations only this API serves (sessions, daily metrics) and deletion.
/// </summary>
public sealed class TraceQueries(TraceRowQueries rows, TraceSummaryWriter summaries, TimeProvider clock)
{
    private ClickHouseTraceStore Store => rows.Store;

    public async Task<Paged<TraceView>> ListTracesAsync(string projectId, TraceListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var traces = await rows.ListTracesAsync(projectId, filter, page, cancellationToken);
        var ids = traces.Data.Select(r => r.Id).ToArray();
        var observations = await rows.ObservationsOfTracesAsync(projectId, ids, cancellationToken);
        var aggregates = observations.GroupBy(r => r.TraceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Aggregate(g.ToList())!, StringComparer.Ordinal);
        var scoreIds = (await rows.ScoresOfTracesAsync(projectId, ids, cancellationToken))
            .Where(s => s.TraceId is not null)
            .GroupBy(s => s.TraceId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Id).Order(StringComparer.Ordinal).Select(id => (object)id).ToList(), StringComparer.Ordinal);
        return new Paged<TraceView>(
            traces.Data.Select(r => TraceView.From(r, aggregates.GetValueOrDefault(r.Id), aggregates.GetValueOrDefault(r.Id)?.ObservationIds ?? [], scoreIds.GetValueOrDefault(r.Id) ?? [])).ToList(),
            traces.Meta);
    }

    public async Task<TraceView?> GetTraceAsync(string projectId, string traceId, CancellationToken cancellationToken)
    {
        var row = await rows.GetTraceAsync(projectId, traceId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var observations = await rows.ObservationsOfTracesAsync(projectId, [traceId], cancellationToken);
        var scores = await rows.ListScoresAsync(projectId, new ScoreListFilter { TraceId = traceId }, new Page(1, 10_000), cancellationToken);
        return TraceView.From(row, Aggregate(observations), observations.Select(o => (object)ObservationView.From(o)).ToList(), scores.Data.Select(s => (object)ScoreView.From(s)).ToList());
    }

    public async Task<Paged<ObservationView>> ListObservationsAsync(string projectId, ObservationListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var observations = await rows.ListObservationsAsync(projectId, filter, page, cancellationToken);
        return new Paged<ObservationView>(observations.Data.Select(ObservationView.From).ToList(), observations.Meta);
    }

    public async Task<ObservationView?> GetObservationAsync(string projectId, string observationId, CancellationToken cancellationToken) =>
        await rows.GetObservationAsync(projectId, observationId, cancellationToken) is { } row ? ObservationView.From(row) : null;

    public async Task<Paged<ScoreView>> ListScoresAsync(string projectId, ScoreListFilter filter, Page page, CancellationToken cancellationToken)
    {
        var scores = await rows.ListScoresAsync(projectId, filter, page, cancellationToken);
        return new Paged<ScoreView>(scores.Data.Select(ScoreView.From).ToList(), scores.Meta);
    }

    public async Task<Paged<SessionView>> ListSessionsAsync(string projectId, DateTime? from, DateTime? to, string[]? environments, Page page, CancellationToken cancellationToken)
    {
        var where = new SqlFilter(projectId)
            .WhenFixed(from, TraceRowQueries.Timestamp, "timestamp >= @")
            .WhenFixed(to, TraceRowQueries.Timestamp, "timestamp < @")
            .When(environments, "Array(String)", "has(@, environment)")
            .Require("session_id IS NOT NULL");
        var sessions = $"SELECT session_id, min(timestamp) AS created_at, any(environment) AS environment FROM {where.Latest("traces", TraceRowReader.TraceColumns)} WHERE {where.LatestWhere} GROUP BY session_id";
        var total = await rows.CountAsync($"SELECT count() FROM ({sessions})", where, cancellationToken);
        using var reader = await Store.Client.ExecuteReaderAsync($"{sessions} ORDER BY created_at DESC, session_id LIMIT {page.Limit} OFFSET {page.Offset}", where.Parameters, cancellationToken: cancellationToken);
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
            .WhenFixed(filter.FromTimestamp, TraceRowQueries.Timestamp, "timestamp >= @")
            .WhenFixed(filter.ToTimestamp, TraceRowQueries.Timestamp, "timestamp < @")
            .When(filter.Name, "String", "name = @")
            .When(filter.UserId, "String", "user_id = @")
            .When(filter.Tags, "Array(String)", "hasAll(tags, @)")
            .When(filter.Environments, "Array(String)", "has(@, environment)");
        var traces = $"SELECT id, toDate(timestamp) AS day FROM {where.Latest("traces", TraceRowReader.TraceColumns)} WHERE {where.LatestWhere}";
        var observations = $"(SELECT trace_id, provided_model_name, usage_details, total_cost, is_deleted FROM observations WHERE project_id = {{project:String}} ORDER BY event_ts DESC LIMIT 1 BY id, project_id)";
        var sql = $"""
            SELECT t.day, coalesce(o.provided_model_name, '') AS model, uniqExact(t.id) AS traces, countIf(o.trace_id != '') AS observation_count,
                   sum(o.usage_details['input']) AS input, sum(o.usage_details['output']) AS output, sum(o.usage_details['total']) AS total,
                   sum(coalesce(o.total_cost, 0)) AS cost
            FROM ({traces}) AS t LEFT JOIN (SELECT * FROM {observations} WHERE is_deleted = 0) AS o ON o.trace_id = t.id
            GROUP BY t.day, model ORDER BY t.day DESC, model
            """;
        using var reader = await Store.Client.ExecuteReaderAsync(sql, where.Parameters, cancellationToken: cancellationToken);
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

    /// <summary>Writes a deleted version of the trace, of its observations and scores and of its summary; reads stop showing them at once.</summary>
    public async Task<bool> DeleteTraceAsync(string projectId, string traceId, TraceRowStore store, CancellationToken cancellationToken)
    {
        var trace = (await store.ReadTracesAsync(projectId, [traceId], cancellationToken)).GetValueOrDefault(traceId);
        if (trace is null)
        {
            return false;
        }

        var deletedAt = clock.GetUtcNow().UtcDateTime;
        foreach (var (table, idColumn, columns) in new[]
        {
            ("traces", "id", TraceRowReader.TraceColumns),
            ("observations", "trace_id", TraceRowReader.ObservationColumns),
            ("scores", "trace_id", TraceRowReader.ScoreColumns),
        })
        {
            var where = new SqlFilter(projectId).WhenFixed(traceId, "String", $"{idColumn} = @");
            var deletedAtValue = where.Bind(deletedAt, TraceRowQueries.Timestamp);
            var select = string.Join(", ", columns.Select(c => c is "event_ts" or "updated_at" ? deletedAtValue : c));
            await Store.Client.ExecuteNonQueryAsync(
                $"INSERT INTO {table} ({string.Join(", ", columns)}, is_deleted) SELECT {select}, 1 FROM {table} WHERE {where.FixedWhere} ORDER BY event_ts DESC LIMIT 1 BY id, project_id",
                where.Parameters,
                cancellationToken: cancellationToken);
        }

        await summaries.RecomputeAsync(projectId, [traceId], cancellationToken);
        return true;
    }

    private static TraceAggregate? Aggregate(IReadOnlyList<ObservationRow> observations) =>
        observations.Count == 0
            ? null
            : new TraceAggregate(
                (observations.Max(o => o.EndTime ?? o.StartTime) - observations.Min(o => o.StartTime)).TotalSeconds,
                observations.Sum(o => o.TotalCost ?? 0),
                observations.Select(o => o.Id).ToList());
}
