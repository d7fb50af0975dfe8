using System.Data.Common;
using System.Globalization;

namespace Storage.TraceStore.Rows;

/// <summary>The columns of the three trace tables in a fixed order, and the rows read back in that order.</summary>
public static class TraceRowReader
{
    public static readonly string[] TraceColumns =
        ["id", "project_id", "timestamp", "name", "user_id", "session_id", "release", "version", "environment", "public", "bookmarked", "tags", "metadata", "input", "output", "created_at", "updated_at", "event_ts"];

    public static readonly string[] ObservationColumns =
        ["id", "trace_id", "project_id", "type", "parent_observation_id", "start_time", "end_time", "completion_start_time", "name", "level", "status_message", "version", "environment",
         "metadata", "input", "output", "provided_model_name", "model_parameters", "usage_details", "cost_details", "total_cost", "prompt_name", "prompt_version", "created_at", "updated_at", "event_ts", "provided_cost_details"];

    public static readonly string[] ScoreColumns =
        ["id", "project_id", "timestamp", "name", "value", "string_value", "data_type", "source", "comment", "trace_id", "session_id", "observation_id", "config_id", "environment", "metadata", "created_at", "updated_at", "event_ts"];

    public static TraceRow ReadTrace(DbDataReader reader) => new()
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

    public static ObservationRow ReadObservation(DbDataReader reader) => new()
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
        PromptVersion = reader.IsDBNull(22) ? null : Convert.ToUInt16(reader.GetValue(22), CultureInfo.InvariantCulture),
        CreatedAt = reader.GetDateTime(23),
        UpdatedAt = reader.GetDateTime(24),
        EventTs = reader.GetDateTime(25),
        ProvidedCostDetails = ((IDictionary<string, double>)reader.GetValue(26)).ToDictionary(StringComparer.Ordinal),
    };

    public static ScoreRow ReadScore(DbDataReader reader) => new()
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

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTime? NullableTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDateTime(ordinal);

    private static Dictionary<string, string> StringMap(DbDataReader reader, int ordinal) =>
        ((IDictionary<string, string>)reader.GetValue(ordinal)).ToDictionary(StringComparer.Ordinal);
}
