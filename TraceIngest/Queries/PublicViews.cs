using System.Text.Json.Nodes;
using TraceIngest.Worker;

namespace TraceIngest.Queries;

/// <summary>The Langfuse public API's trace shape; lists carry observation and score ids, details the objects.</summary>
public sealed record TraceView(
    string Id, DateTime Timestamp, string? Name, JsonNode? Input, JsonNode? Output, string? SessionId, string? Release, string? Version,
    string? UserId, JsonObject Metadata, IReadOnlyList<string> Tags, bool Public, string Environment, string HtmlPath,
    double Latency, double TotalCost, IReadOnlyList<object> Observations, IReadOnlyList<object> Scores)
{
    public static TraceView From(TraceRow row, TraceAggregate? aggregate, IReadOnlyList<object> observations, IReadOnlyList<object> scores) => new(
        row.Id, row.Timestamp, row.Name, JsonContent.Parse(row.Input), JsonContent.Parse(row.Output), row.SessionId, row.Release, row.Version,
        row.UserId, JsonContent.Metadata(row.Metadata), row.Tags, row.Public, row.Environment, $"/project/{row.ProjectId}/traces/{row.Id}",
        aggregate?.LatencySeconds ?? 0, aggregate?.TotalCost ?? 0, observations, scores);
}

/// <summary>Per trace, from its observations: the span from first start to last end, and the summed cost.</summary>
public sealed record TraceAggregate(double LatencySeconds, double TotalCost, IReadOnlyList<string> ObservationIds);

public sealed record UsageView(ulong Input, ulong Output, ulong Total, string Unit = "TOKENS");

public sealed record ObservationView(
    string Id, string TraceId, string Type, string? Name, DateTime StartTime, DateTime? EndTime, DateTime? CompletionStartTime,
    string? Model, JsonNode? ModelParameters, JsonNode? Input, JsonNode? Output, string? Version, JsonObject Metadata,
    UsageView Usage, IReadOnlyDictionary<string, ulong> UsageDetails, IReadOnlyDictionary<string, double> CostDetails,
    string Level, string? StatusMessage, string? ParentObservationId, string? PromptName, ushort? PromptVersion, string Environment,
    double? Latency, double? TimeToFirstToken, double? CalculatedTotalCost)
{
    public static ObservationView From(ObservationRow row) => new(
        row.Id, row.TraceId, row.Type, row.Name, row.StartTime, row.EndTime, row.CompletionStartTime,
        row.ProvidedModelName, row.ModelParameters is null ? null : JsonNode.Parse(row.ModelParameters), JsonContent.Parse(row.Input), JsonContent.Parse(row.Output),
        row.Version, JsonContent.Metadata(row.Metadata),
        new UsageView(row.UsageDetails.GetValueOrDefault("input"), row.UsageDetails.GetValueOrDefault("output"), row.UsageDetails.GetValueOrDefault("total")),
        row.UsageDetails, row.CostDetails, row.Level, row.StatusMessage, row.ParentObservationId, row.PromptName, row.PromptVersion, row.Environment,
        row.EndTime is { } end ? (end - row.StartTime).TotalSeconds : null,
        row.CompletionStartTime is { } first ? (first - row.StartTime).TotalSeconds : null,
        row.TotalCost);
}

public sealed record ScoreView(
    string Id, string? TraceId, string? ObservationId, string? SessionId, string Name, double Value, string? StringValue, string DataType,
    string Source, string? Comment, DateTime Timestamp, DateTime CreatedAt, DateTime UpdatedAt, string Environment, string? ConfigId, JsonObject Metadata)
{
    public static ScoreView From(ScoreRow row) => new(
        row.Id, row.TraceId, row.ObservationId, row.SessionId, row.Name, row.Value, row.StringValue, row.DataType,
        row.Source, row.Comment, row.Timestamp, row.CreatedAt, row.UpdatedAt, row.Environment, row.ConfigId, JsonContent.Metadata(row.Metadata));
}

public sealed record SessionView(string Id, DateTime CreatedAt, string ProjectId, string Environment, IReadOnlyList<TraceView>? Traces = null);

public sealed record DailyUsageView(string Model, ulong InputUsage, ulong OutputUsage, ulong TotalUsage, long CountTraces, long CountObservations, double TotalCost);

public sealed record DailyMetricsView(string Date, long CountTraces, long CountObservations, double TotalCost, IReadOnlyList<DailyUsageView> Usage);
