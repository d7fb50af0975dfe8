using System.Data.Common;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Storage.TraceStore;
using Storage.TraceStore.Queries;
using Storage.TraceStore.Rows;
using static Storage.TraceStore.Rows.TraceRowReader;

namespace TraceIngest.Worker;

/// <summary>
/// Reads the latest stored version of rows by id and writes new versions, for the worker. Reads deduplicate
/// with <c>LIMIT 1 BY</c> (no FINAL, so skip indexes on id still apply); writes are one bulk insert per table.
/// </summary>
public sealed class TraceRowStore(ClickHouseTraceStore store)
{
    public Task<Dictionary<string, TraceRow>> ReadTracesAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("traces", TraceColumns, projectId, ids, ReadTrace, cancellationToken);

    public Task<Dictionary<string, ObservationRow>> ReadObservationsAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("observations", ObservationColumns, projectId, ids, ReadObservation, cancellationToken);

    public Task<Dictionary<string, ScoreRow>> ReadScoresAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("scores", ScoreColumns, projectId, ids, ReadScore, cancellationToken);

    /// <summary>
    /// One insert per table, the tables side by side: each on a pool thread, because the embedded engine runs an
    /// insert before its task returns and the three would otherwise run in turn.
    /// </summary>
    public Task WriteAsync(IReadOnlyCollection<TraceRow> traces, IReadOnlyCollection<ObservationRow> observations, IReadOnlyCollection<ScoreRow> scores, CancellationToken cancellationToken) =>
        Task.WhenAll(
            Task.Run(() => WriteTracesAsync(traces, cancellationToken), cancellationToken),
            Task.Run(() => WriteObservationsAsync(observations, cancellationToken), cancellationToken),
            Task.Run(() => WriteScoresAsync(scores, cancellationToken), cancellationToken));

    private async Task WriteTracesAsync(IReadOnlyCollection<TraceRow> traces, CancellationToken cancellationToken)
    {
        if (traces.Count > 0)
        {
            await store.InsertBinaryAsync("traces", TraceColumns, traces.Select(t => new object[]
            {
                t.Id, t.ProjectId, t.Timestamp, t.Name, t.UserId!, t.SessionId!, t.Release!, t.Version!, t.Environment, t.Public, t.Bookmarked,
                t.Tags.ToArray(), t.Metadata, t.Input!, t.Output!, t.CreatedAt, t.UpdatedAt, t.EventTs,
            }), cancellationToken);
        }
    }

    private async Task WriteObservationsAsync(IReadOnlyCollection<ObservationRow> observations, CancellationToken cancellationToken)
    {
        if (observations.Count > 0)
        {
            await store.InsertBinaryAsync("observations", ObservationColumns, observations.Select(o => new object[]
            {
                o.Id, o.TraceId, o.ProjectId, o.Type, o.ParentObservationId!, o.StartTime, o.EndTime!, o.CompletionStartTime!, o.Name, o.Level, o.StatusMessage!, o.Version!, o.Environment,
                o.Metadata, o.Input!, o.Output!, o.ProvidedModelName!, o.ModelParameters!, o.UsageDetails, o.CostDetails, o.TotalCost!, o.PromptName!, o.PromptVersion!, o.CreatedAt, o.UpdatedAt, o.EventTs,
                o.ProvidedCostDetails,
            }), cancellationToken);
        }
    }

    private async Task WriteScoresAsync(IReadOnlyCollection<ScoreRow> scores, CancellationToken cancellationToken)
    {
        if (scores.Count > 0)
        {
            await store.InsertBinaryAsync("scores", ScoreColumns, scores.Select(s => new object[]
            {
                s.Id, s.ProjectId, s.Timestamp, s.Name, s.Value, s.StringValue!, s.DataType, s.Source, s.Comment!, s.TraceId!, s.SessionId!, s.ObservationId!, s.ConfigId!, s.Environment,
                s.Metadata, s.CreatedAt, s.UpdatedAt, s.EventTs,
            }), cancellationToken);
        }
    }

    private async Task<Dictionary<string, TRow>> ReadAsync<TRow>(string table, string[] columns, string projectId, IReadOnlyCollection<string> ids, Func<DbDataReader, TRow> read, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, TRow>(StringComparer.Ordinal);
        foreach (var chunk in IdParameterChunks.Of(ids))
        {
            var parameters = new ClickHouseParameterCollection();
            parameters.AddParameter("project", projectId);
            parameters.AddParameter("ids", chunk);
            using var reader = await store.Client.ExecuteReaderAsync(
                $"SELECT {string.Join(", ", columns)} FROM {table} WHERE project_id = {{project:String}} AND id IN {{ids:Array(String)}} " +
                "ORDER BY event_ts DESC LIMIT 1 BY id, project_id",
                parameters,
                cancellationToken: cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = read(reader);
            }
        }

        return rows;
    }
}
