using System.Globalization;
using System.Text.Json;
using Storage.Pricing;

namespace TraceIngest.Worker;

/// <summary>
/// Folds an entity's events, in merge order, onto its stored row. Later events overwrite the fields they carry;
/// the fields that identify and place a row (ids, trace and project, start time, environment, creation time)
/// keep their first value. Applying the same events again gives the same row, which makes redelivery harmless.
/// </summary>
public sealed class IngestionEventMerger(ModelPriceTable prices)
{
    public TraceRow MergeTrace(TraceRow? stored, string projectId, string traceId, IEnumerable<StoredEvent> events, DateTime now)
    {
        var row = stored ?? new TraceRow { Id = traceId, ProjectId = projectId, CreatedAt = now };
        var first = stored is null;
        foreach (var item in StoredEvent.InMergeOrder(events))
        {
            var body = item.Body;
            if (first)
            {
                row.Timestamp = body.Time("timestamp") ?? item.Timestamp.UtcDateTime;
                row.Environment = EnvironmentName.Normalize(body.String("environment"));
                first = false;
            }

            row.Name = body.String("name") ?? row.Name;
            row.UserId = body.String("userId") ?? row.UserId;
            row.SessionId = body.String("sessionId") ?? row.SessionId;
            row.Release = body.String("release") ?? row.Release;
            row.Version = body.String("version") ?? row.Version;
            row.Input = body.Content("input") ?? row.Input;
            row.Output = body.Content("output") ?? row.Output;
            if (body.TryGet("public", out var isPublic) && isPublic.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                row.Public = isPublic.GetBoolean();
            }

            if (body.TryGet("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
            {
                row.Tags = row.Tags.Union(tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            }

            body.MergeMetadata(row.Metadata);
        }

        row.UpdatedAt = now;
        row.EventTs = now;
        return row;
    }

    public ObservationRow MergeObservation(ObservationRow? stored, string projectId, string observationId, IEnumerable<StoredEvent> events, IReadOnlyList<ModelPrice> projectPrices, DateTime now)
    {
        var row = stored ?? new ObservationRow { Id = observationId, ProjectId = projectId, CreatedAt = now };
        var first = stored is null;
        var usageChanged = false;
        foreach (var item in StoredEvent.InMergeOrder(events))
        {
            var body = item.Body;
            if (first)
            {
                row.TraceId = body.String("traceId") ?? observationId;
                row.StartTime = body.Time("startTime") ?? item.Timestamp.UtcDateTime;
                row.Environment = EnvironmentName.Normalize(body.String("environment"));
                row.Type = item.Type.ObservationType ?? body.String("type") ?? "SPAN";
                first = false;
            }
            else if (row.Type == "SPAN" && !item.Type.IsUpdate && item.Type.ObservationType is { } kind)
            {
                // An update can arrive before its create; the create then says what the observation really is.
                row.Type = kind;
            }

            row.ParentObservationId = body.String("parentObservationId") ?? row.ParentObservationId;
            row.EndTime = body.Time("endTime") ?? row.EndTime;
            row.CompletionStartTime = body.Time("completionStartTime") ?? row.CompletionStartTime;
            row.Name = body.String("name") ?? row.Name;
            row.Level = body.String("level") ?? row.Level;
            row.StatusMessage = body.String("statusMessage") ?? row.StatusMessage;
            row.Version = body.String("version") ?? row.Version;
            row.Input = body.Content("input") ?? row.Input;
            row.Output = body.Content("output") ?? row.Output;
            row.ProvidedModelName = body.String("model") ?? row.ProvidedModelName;
            if (body.TryGet("modelParameters", out var parameters))
            {
                row.ModelParameters = parameters.GetRawText();
            }

            row.PromptName = body.String("promptName") ?? row.PromptName;
            if (body.TryGet("promptVersion", out var promptVersion) && promptVersion.TryGetUInt16(out var version))
            {
                row.PromptVersion = version;
            }

            usageChanged |= UsageDetails.MergeInto(body, row.UsageDetails);
            if (UsageDetails.ProvidedCost(body) is { Count: > 0 } cost)
            {
                row.ProvidedCostDetails = cost;
                row.CostDetails = cost;
            }

            body.MergeMetadata(row.Metadata);
        }

        if (row.ProvidedCostDetails.Count == 0 && (usageChanged || row.CostDetails.Count == 0) && row.ProvidedModelName is { } model && row.UsageDetails.Count > 0)
        {
            row.CostDetails = prices.Match(model, row.StartTime, projectPrices)?.Cost(row.UsageDetails) ?? row.CostDetails;
        }

        row.TotalCost = row.CostDetails.Count == 0 ? null : row.CostDetails.TryGetValue("total", out var total) ? total : row.CostDetails.Values.Sum();
        row.UpdatedAt = now;
        row.EventTs = now;
        return row;
    }

    public static ScoreRow MergeScore(ScoreRow? stored, string projectId, string scoreId, IEnumerable<StoredEvent> events, DateTime now)
    {
        var row = stored ?? new ScoreRow { Id = scoreId, ProjectId = projectId, CreatedAt = now };
        var first = stored is null;
        foreach (var item in StoredEvent.InMergeOrder(events))
        {
            var body = item.Body;
            if (first)
            {
                row.Timestamp = body.Time("timestamp") ?? item.Timestamp.UtcDateTime;
                row.TraceId = body.String("traceId");
                row.Environment = EnvironmentName.Normalize(body.String("environment"));
                first = false;
            }

            row.Name = body.String("name") ?? row.Name;
            row.SessionId = body.String("sessionId") ?? row.SessionId;
            row.ObservationId = body.String("observationId") ?? row.ObservationId;
            row.Comment = body.String("comment") ?? row.Comment;
            row.ConfigId = body.String("configId") ?? row.ConfigId;
            row.Source = body.String("source") ?? row.Source;
            row.DataType = body.String("dataType") ?? row.DataType;
            if (body.TryGet("value", out var value))
            {
                if (value.ValueKind == JsonValueKind.Number)
                {
                    row.Value = value.GetDouble();
                    row.StringValue = row.DataType == "BOOLEAN" ? (row.Value != 0 ? "True" : "False") : null;
                }
                else if (value.ValueKind == JsonValueKind.String)
                {
                    row.StringValue = value.GetString();
                    row.DataType = body.String("dataType") ?? (row.DataType == "NUMERIC" ? "CATEGORICAL" : row.DataType);
                    row.Value = double.TryParse(row.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
                }
            }

            body.MergeMetadata(row.Metadata);
        }

        row.UpdatedAt = now;
        row.EventTs = now;
        return row;
    }
}
