using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Storage.TraceStore.Queries;

namespace Storage.TraceStore.Summaries;

/// <summary>
/// Keeps <c>trace_summaries</c> (a trace's user, session and observation totals) in step with the base tables by
/// recomputing whole summaries from them, never by adding to a stored total: a redelivered batch or an update
/// recomputes the same trace again and its new version replaces the old one.
/// </summary>
/// <remarks>
/// One <c>INSERT … SELECT</c> per call, so the read and the version (<c>now64()</c> of the server, taken when the
/// statement starts) come from the same moment: a recompute that starts after a write completed sees it, and it has
/// a later version than any recompute that started before. Writers recompute after their own write completes, so the
/// newest summary of a trace includes every write to it.
/// </remarks>
public sealed class TraceSummaryWriter(ClickHouseTraceStore store)
{
    /// <summary>Recomputes the summaries of the given traces of one project (after writing their rows).</summary>
    public async Task RecomputeAsync(string projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in IdParameterChunks.Of(traceIds.Distinct(StringComparer.Ordinal)))
        {
            var parameters = new ClickHouseParameterCollection();
            parameters.AddParameter("project", projectId);
            parameters.AddParameter("ids", chunk);
            // By id through the bloom-filter indexes, deduplicated with LIMIT 1 BY (FINAL would skip the indexes).
            await store.Client.ExecuteNonQueryAsync(
                Recompute(
                    "SELECT id, timestamp, user_id, session_id, is_deleted FROM traces WHERE project_id = {project:String} AND id IN {ids:Array(String)} " +
                    "ORDER BY event_ts DESC LIMIT 1 BY id",
                    "SELECT trace_id, start_time, end_time, usage_details, total_cost, level, is_deleted FROM observations " +
                    "WHERE project_id = {project:String} AND trace_id IN {ids:Array(String)} ORDER BY event_ts DESC LIMIT 1 BY id"),
                parameters,
                cancellationToken: cancellationToken);
        }
    }

    /// <summary>Recomputes every trace of one project, e.g. after rows were written straight into the tables.</summary>
    public Task RecomputeProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("project", projectId);
        return store.Client.ExecuteNonQueryAsync(
            Recompute(
                "SELECT id, timestamp, user_id, session_id, is_deleted FROM traces FINAL WHERE project_id = {project:String}",
                "SELECT trace_id, start_time, end_time, usage_details, total_cost, level, is_deleted FROM observations FINAL WHERE project_id = {project:String}"),
            parameters,
            cancellationToken: cancellationToken);
    }

    /// <summary>A summary for each latest trace version of <paramref name="traces"/>, totals over the live rows of <paramref name="observations"/>.</summary>
    /// <remarks>A trace without observations gets zeros: the join's defaults, or NULLs inserted as defaults.</remarks>
    private static string Recompute(string traces, string observations) =>
        $"""
        INSERT INTO trace_summaries (trace_id, project_id, timestamp, user_id, session_id, observations, latency_ms, input_tokens, output_tokens, tokens, cost, level_rank, computed_at, is_deleted)
        SELECT t.id, {"{project:String}"}, t.timestamp, t.user_id, t.session_id, o.observations,
               if(o.observations = 0, 0, dateDiff('millisecond', o.first_start, o.last_end)),
               o.input_tokens, o.output_tokens, o.tokens, o.cost, o.level_rank, now64(6), t.is_deleted
        FROM ({traces}) AS t
        LEFT JOIN
        (
            SELECT trace_id, count() AS observations, min(start_time) AS first_start, max(coalesce(end_time, start_time)) AS last_end,
                   sum(usage_details['input']) AS input_tokens, sum(usage_details['output']) AS output_tokens,
                   sum(if(mapContains(usage_details, 'total'), usage_details['total'], usage_details['input'] + usage_details['output'])) AS tokens,
                   sum(coalesce(total_cost, 0)) AS cost, max(multiIf(level = 'ERROR', 3, level = 'WARNING', 2, level = 'DEFAULT', 1, 0)) AS level_rank
            FROM ({observations}) WHERE is_deleted = 0 GROUP BY trace_id
        ) AS o ON o.trace_id = t.id
        """;
}
