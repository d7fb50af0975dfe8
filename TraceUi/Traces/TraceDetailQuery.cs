using System.Data.Common;
using Storage.TraceStore.Queries;
using Storage.TraceStore.Rows;

namespace TraceUi.Traces;

/// <summary>
/// One trace for the detail page: the trace row, the outline of every observation (no inputs or outputs, so a
/// trace with thousands of observations stays light), the scores, and one selected observation in full.
/// </summary>
public sealed class TraceDetailQuery(TraceRowQueries rows)
{
    public async Task<TraceDetail?> RunAsync(string projectId, string traceId, string? observationId, CancellationToken cancellationToken)
    {
        var trace = await rows.GetTraceAsync(projectId, traceId, cancellationToken);
        if (trace is null)
        {
            return null;
        }

        var where = new SqlFilter(projectId).WhenFixed(traceId, "String", "trace_id = @");
        var outline = await rows.ReadAsync(
            $"SELECT {string.Join(", ", OutlineColumns)} FROM {where.Latest("observations", OutlineColumns)} WHERE {where.LatestWhere} ORDER BY start_time, id",
            where, ReadOutline, cancellationToken);
        var scores = await rows.ScoresOfTracesAsync(projectId, [traceId], cancellationToken);
        var selected = observationId is null || !outline.Any(o => o.Id == observationId)
            ? null
            : await rows.GetObservationAsync(projectId, observationId, cancellationToken);
        return new TraceDetail(trace, ObservationTree.Flatten(outline), scores, selected);
    }

    private static readonly string[] OutlineColumns =
        ["id", "parent_observation_id", "type", "name", "start_time", "end_time", "completion_start_time", "level", "provided_model_name", "usage_details", "total_cost"];

    private static ObservationOutline ReadOutline(DbDataReader reader)
    {
        var usage = (IDictionary<string, ulong>)reader.GetValue(9);
        usage.TryGetValue("input", out var input);
        usage.TryGetValue("output", out var output);
        return new ObservationOutline(
            reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.GetDateTime(4), reader.IsDBNull(5) ? null : reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetDateTime(6),
            reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
            usage.TryGetValue("total", out var total) ? total : input + output,
            reader.IsDBNull(10) ? null : reader.GetDouble(10));
    }
}

public sealed record TraceDetail(TraceRow Trace, IReadOnlyList<TreeRow> Tree, IReadOnlyList<ScoreRow> Scores, ObservationRow? Selected)
{
    public DateTime Start => Tree.Count == 0 ? Trace.Timestamp : Tree.Min(r => r.Observation.StartTime) is var first && first < Trace.Timestamp ? first : Trace.Timestamp;

    public DateTime End => Tree.Count == 0 ? Trace.Timestamp : Tree.Max(r => r.Observation.EndTime ?? r.Observation.StartTime);

    public double TotalCost => Tree.Sum(r => r.Observation.TotalCost ?? 0);

    public ulong TotalTokens => Tree.Aggregate(0UL, (sum, r) => sum + r.Observation.Tokens);
}

/// <summary>What the tree and the timeline need of an observation.</summary>
public sealed record ObservationOutline(
    string Id, string? ParentId, string Type, string Name, DateTime StartTime, DateTime? EndTime, DateTime? CompletionStartTime,
    string Level, string? Model, ulong Tokens, double? TotalCost)
{
    public double? LatencySeconds => EndTime is { } end ? (end - StartTime).TotalSeconds : null;
}
