using System.Data.Common;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Storage.TraceStore;

namespace TraceIngest.Worker;

/// <summary>
/// Reads the latest stored version of rows by id and writes new versions, for the worker. Reads deduplicate
/// with <c>LIMIT 1 BY</c> (no FINAL, so skip indexes on id still apply); writes are one bulk insert per table.
/// </summary>
public sealed class TraceRowStore(ClickHouseTraceStore store)
{
    private const int IdsPerQuery = 1000;

    internal static readonly string[] TraceColumns =
        ["id", "project_id", "timestamp", "name", "user_id", "session_id", "release", "version", "environment", "public", "bookmarked", "tags", "metadata", "input", "output", "created_at", "updated_at", "event_ts"];

    internal static readonly string[] ObservationColumns =
        ["id", "trace_id", "project_id", "type", "parent_observation_id", "start_time", "end_time", "completion_start_time", "name", "level", "status_message", "version", "environment",
         "metadata", "input", "output", "provided_model_name", "model_parameters", "usage_details", "cost_details", "total_cost", "prompt_name", "prompt_version", "created_at", "updated_at", "event_ts"];

    internal static readonly string[] ScoreColumns =
        ["id", "project_id", "timestamp", "name", "value", "string_value", "data_type", "source", "comment", "trace_id", "session_id", "observation_id", "config_id", "environment", "metadata", "created_at", "updated_at", "event_ts"];

    public Task<Dictionary<string, TraceRow>> ReadTracesAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("traces", TraceColumns, projectId, ids, ReadTrace, cancellationToken);

    internal static TraceRow ReadTrace(DbDataReader reader) => new()
        {
            Id = reader.GetString(0),
            ProjectId = reader.GetString(1),
            Timestamp = reader.GetDateTime(2),
            Name = reader.GetString(3),
            UserId = NullableString(reader, 4),
            SessionId = NullableString(reader, 5),
            Release = NullableString(reader, 6),
            Version = NullableString(reader, 7),
            Environment = reader.GetString(8),
            Public = reader.GetBoolean(9),
            Bookmarked = reader.GetBoolean(10),
            Tags = [.. (string[])reader.GetValue(11)],
            Metadata = StringMap(reader, 12),
            Input = NullableString(reader, 13),
            Output = NullableString(reader, 14),
            CreatedAt = reader.GetDateTime(15),
            UpdatedAt = reader.GetDateTime(16),
            EventTs = reader.GetDateTime(17),
    };

    public Task<Dictionary<string, ObservationRow>> ReadObservationsAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("observations", ObservationColumns, projectId, ids, ReadObservation, cancellationToken);

    internal static ObservationRow ReadObservation(DbDataReader reader) => new()
        {
            Id = reader.GetString(0),
            TraceId = reader.GetString(1),
            ProjectId = reader.GetString(2),
            Type = reader.GetString(3),
            ParentObservationId = NullableString(reader, 4),
            StartTime = reader.GetDateTime(5),
            EndTime = NullableTime(reader, 6),
            CompletionStartTime = NullableTime(reader, 7),
            Name = reader.GetString(8),
            Level = reader.GetString(9),
            StatusMessage = NullableString(reader, 10),
            Version = NullableString(reader, 11),
            Environment = reader.GetString(12),
            Metadata = StringMap(reader, 13),
            Input = NullableString(reader, 14),
            Output = NullableString(reader, 15),
            ProvidedModelName = NullableString(reader, 16),
            ModelParameters = NullableString(reader, 17),
            UsageDetails = ((IDictionary<string, ulong>)reader.GetValue(18)).ToDictionary(StringComparer.Ordinal),
            CostDetails = ((IDictionary<string, double>)reader.GetValue(19)).ToDictionary(StringComparer.Ordinal),
            TotalCost = reader.IsDBNull(20) ? null : reader.GetDouble(20),
            PromptName = NullableString(reader, 21),
            PromptVersion = reader.IsDBNull(22) ? null : Convert.ToUInt16(reader.GetValue(22), System.Globalization.CultureInfo.InvariantCulture),
            CreatedAt = reader.GetDateTime(23),
            UpdatedAt = reader.GetDateTime(24),
            EventTs = reader.GetDateTime(25),
    };

    public Task<Dictionary<string, ScoreRow>> ReadScoresAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadAsync("scores", ScoreColumns, projectId, ids, ReadScore, cancellationToken);

    internal static ScoreRow ReadScore(DbDataReader reader) => new()
        {
            Id = reader.GetString(0),
            ProjectId = reader.GetString(1),
            Timestamp = reader.GetDateTime(2),
            Name = reader.GetString(3),
            Value = reader.GetDouble(4),
            StringValue = NullableString(reader, 5),
            DataType = reader.GetString(6),
            Source = reader.GetString(7),
            Comment = NullableString(reader, 8),
            TraceId = NullableString(reader, 9),
            SessionId = NullableString(reader, 10),
            ObservationId = NullableString(reader, 11),
            ConfigId = NullableString(reader, 12),
            Environment = reader.GetString(13),
            Metadata = StringMap(reader, 14),
            CreatedAt = reader.GetDateTime(15),
            UpdatedAt = reader.GetDateTime(16),
            EventTs = reader.GetDateTime(17),
    };

    /// <summary>One insert per table, the tables side by side.</summary>
    public Task WriteAsync(IReadOnlyCollection<TraceRow> traces, IReadOnlyCollection<ObservationRow> observations, IReadOnlyCollection<ScoreRow> scores, CancellationToken cancellationToken) =>
        Task.WhenAll(WriteTracesAsync(traces, cancellationToken), WriteObservationsAsync(observations, cancellationToken), WriteScoresAsync(scores, cancellationToken));

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
        foreach (var chunk in ids.Chunk(IdsPerQuery))
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

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTime? NullableTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDateTime(ordinal);

    private static Dictionary<string, string> StringMap(DbDataReader reader, int ordinal) =>
        ((IDictionary<string, string>)reader.GetValue(ordinal)).ToDictionary(StringComparer.Ordinal);
}
