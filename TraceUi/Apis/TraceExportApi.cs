using System.Security.Claims;
using System.Text.Json.Nodes;
using Storage.TraceStore.Queries;
using Storage.TraceStore.Rows;
using TraceUi.Authentication;
using TraceUi.Projects;

namespace TraceUi.Apis;

/// <summary>
/// A trace (with every observation and score) or one observation as JSON, for the detail page's copy and download
/// buttons. Signed-in members of the project only; served as <c>application/json</c> with <c>nosniff</c>, so a
/// browser never renders the trace content in it as a page.
/// </summary>
public static class TraceExportApi
{
    public static IEndpointRouteBuilder MapTraceExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/project/{projectId}/traces/{traceId}/json", ExportAsync)
            .RequireAuthorization(UiAuthentication.ViewerPolicy)
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ExportAsync(
        string projectId, string traceId, string? observation, ClaimsPrincipal user, ProjectAccess access, TraceRowQueries rows,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(user, projectId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (observation is not null)
        {
            var row = await rows.GetObservationAsync(projectId, observation, cancellationToken);
            return row is null || row.TraceId != traceId ? TypedResults.NotFound() : Json(ExportedObservation(row));
        }

        var trace = await rows.GetTraceAsync(projectId, traceId, cancellationToken);
        if (trace is null)
        {
            return TypedResults.NotFound();
        }

        var observations = await rows.ObservationsOfTracesAsync(projectId, [traceId], cancellationToken);
        var scores = await rows.ScoresOfTracesAsync(projectId, [traceId], cancellationToken);
        var exported = new JsonObject
        {
            ["id"] = trace.Id,
            ["timestamp"] = trace.Timestamp,
            ["name"] = trace.Name,
            ["userId"] = trace.UserId,
            ["sessionId"] = trace.SessionId,
            ["release"] = trace.Release,
            ["version"] = trace.Version,
            ["environment"] = trace.Environment,
            ["tags"] = new JsonArray(trace.Tags.Select(t => (JsonNode?)t).ToArray()),
            ["metadata"] = Metadata(trace.Metadata),
            ["input"] = StoredJson.Parse(trace.Input),
            ["output"] = StoredJson.Parse(trace.Output),
            ["observations"] = new JsonArray(observations.Select(o => (JsonNode?)ExportedObservation(o)).ToArray()),
            ["scores"] = new JsonArray(scores.Select(s => (JsonNode?)new JsonObject
            {
                ["id"] = s.Id, ["name"] = s.Name, ["value"] = s.Value, ["stringValue"] = s.StringValue, ["dataType"] = s.DataType,
                ["source"] = s.Source, ["comment"] = s.Comment, ["observationId"] = s.ObservationId, ["timestamp"] = s.Timestamp,
            }).ToArray()),
        };
        return Json(exported);
    }

    private static JsonObject ExportedObservation(ObservationRow o) => new()
    {
        ["id"] = o.Id,
        ["traceId"] = o.TraceId,
        ["type"] = o.Type,
        ["name"] = o.Name,
        ["parentObservationId"] = o.ParentObservationId,
        ["startTime"] = o.StartTime,
        ["endTime"] = o.EndTime,
        ["completionStartTime"] = o.CompletionStartTime,
        ["level"] = o.Level,
        ["statusMessage"] = o.StatusMessage,
        ["model"] = o.ProvidedModelName,
        ["modelParameters"] = StoredJson.Parse(o.ModelParameters),
        ["usageDetails"] = new JsonObject(o.UsageDetails.Select(u => KeyValuePair.Create(u.Key, (JsonNode?)u.Value))),
        ["costDetails"] = new JsonObject(o.CostDetails.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))),
        ["totalCost"] = o.TotalCost,
        ["metadata"] = Metadata(o.Metadata),
        ["input"] = StoredJson.Parse(o.Input),
        ["output"] = StoredJson.Parse(o.Output),
    };

    private static JsonObject Metadata(IReadOnlyDictionary<string, string> metadata) =>
        new(metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, StoredJson.Parse(m.Value))));

    private static IResult Json(JsonNode node) => TypedResults.Text(node.ToJsonString(Indented), "application/json; charset=utf-8");

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };
}
