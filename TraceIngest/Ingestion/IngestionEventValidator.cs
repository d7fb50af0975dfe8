using System.Globalization;
using System.Text.Json;

namespace TraceIngest.Ingestion;

/// <summary>
/// Checks one event of a Langfuse batch against the ingestion contract (envelope, then the body of its type) and
/// says precisely what is wrong. Field types are checked where storage depends on them; content (input, output,
/// metadata) is accepted as any JSON.
/// </summary>
public static class IngestionEventValidator
{
    private const int MaxIdLength = 800;
    private const int MaxNameLength = 1000;
    private static readonly string[] Levels = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];
    private static readonly string[] ScoreDataTypes = ["NUMERIC", "CATEGORICAL", "BOOLEAN", "CORRECTION", "TEXT"];
    private static readonly string[] ScoreSources = ["API", "EVAL", "ANNOTATION"];

    public const string InvalidRequestData = "Invalid request data";

    /// <summary>The validated event, or the error to report for it; null for both means an sdk-log event (accepted, not stored).</summary>
    public static (IngestionEvent? Event, IngestionEventError? Error) Validate(JsonElement element, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Fail($"batch[{index}]", $"batch[{index}] must be an object");
        }

        var id = element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : null;
        var reportedId = id ?? $"batch[{index}]";
        if (id is null || !IsValidId(id))
        {
            return Fail(reportedId, $"id must be a string of 1 to {MaxIdLength} characters without carriage returns");
        }

        if (!element.TryGetProperty("timestamp", out var timestampElement) || !TryParseTimestamp(timestampElement, out var timestamp))
        {
            return Fail(id, "timestamp must be an ISO 8601 date-time with a UTC offset");
        }

        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return Fail(id, "type must be a string");
        }

        var typeName = typeElement.GetString()!;
        if (typeName == IngestionEventType.SdkLog)
        {
            return (null, null);
        }

        var type = IngestionEventType.Find(typeName);
        if (type is null)
        {
            return Fail(id, $"type '{typeName}' is not one of: {string.Join(", ", IngestionEventType.Names)}");
        }

        if (!element.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
        {
            return Fail(id, "body must be an object");
        }

        var problem = type.Entity switch
        {
            IngestionEntity.Trace => CheckTrace(body),
            IngestionEntity.Observation => CheckObservation(body, type),
            _ => CheckScore(body),
        };
        if (problem is not null)
        {
            return Fail(id, problem);
        }

        var entityId = body.TryGetProperty("id", out var bodyId) && bodyId.ValueKind == JsonValueKind.String
            ? bodyId.GetString()!
            : Guid.CreateVersion7().ToString();
        return (new IngestionEvent(id, type, timestamp, entityId, body), null);
    }

    private static string? CheckTrace(JsonElement body) =>
        OptionalId(body, "id")
        ?? OptionalString(body, "name", MaxNameLength)
        ?? OptionalTimestamp(body, "timestamp")
        ?? OptionalString(body, "userId") ?? OptionalString(body, "sessionId") ?? OptionalString(body, "release")
        ?? OptionalString(body, "version") ?? OptionalString(body, "externalId") ?? OptionalString(body, "environment")
        ?? OptionalBoolean(body, "public")
        ?? OptionalStringArray(body, "tags");

    private static string? CheckObservation(JsonElement body, IngestionEventType type)
    {
        if (!body.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !IsValidId(id.GetString()!))
        {
            return $"body.id is required for {type.Name}: a string of 1 to {MaxIdLength} characters";
        }

        if (type.ObservationType is null
            && (!body.TryGetProperty("type", out var kind) || kind.ValueKind != JsonValueKind.String || !IngestionEventType.LegacyObservationTypes.Contains(kind.GetString()!)))
        {
            return $"body.type must be one of GENERATION, SPAN, EVENT for {type.Name}";
        }

        return OptionalId(body, "traceId") ?? OptionalId(body, "parentObservationId")
            ?? OptionalString(body, "name", MaxNameLength)
            ?? OptionalTimestamp(body, "startTime") ?? OptionalTimestamp(body, "endTime") ?? OptionalTimestamp(body, "completionStartTime")
            ?? OptionalEnum(body, "level", Levels)
            ?? OptionalString(body, "statusMessage") ?? OptionalString(body, "version") ?? OptionalString(body, "environment")
            ?? OptionalString(body, "model")
            ?? OptionalObject(body, "modelParameters")
            ?? OptionalObject(body, "usage")
            ?? OptionalNumberMap(body, "usageDetails", allowNested: true)
            ?? OptionalNumberMap(body, "costDetails", allowNested: false)
            ?? PromptPair(body);
    }

    private static string? CheckScore(JsonElement body)
    {
        if (!body.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
        {
            return "body.name is required for score-create";
        }

        if (!body.TryGetProperty("value", out var value) || value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            return "body.value must be a number (or a string for categorical scores)";
        }

        var hasTarget = new[] { "traceId", "sessionId", "datasetRunId" }.Any(p => body.TryGetProperty(p, out var t) && t.ValueKind == JsonValueKind.String);
        return !hasTarget
            ? "a score needs body.traceId, body.sessionId or body.datasetRunId"
            : OptionalId(body, "id") ?? OptionalId(body, "traceId") ?? OptionalId(body, "observationId")
              ?? OptionalEnum(body, "dataType", ScoreDataTypes) ?? OptionalEnum(body, "source", ScoreSources)
              ?? OptionalString(body, "comment") ?? OptionalString(body, "environment") ?? OptionalString(body, "configId");
    }

    private static string? PromptPair(JsonElement body)
    {
        var hasName = body.TryGetProperty("promptName", out var promptName) && promptName.ValueKind != JsonValueKind.Null;
        var hasVersion = body.TryGetProperty("promptVersion", out var promptVersion) && promptVersion.ValueKind != JsonValueKind.Null;
        return hasName != hasVersion ? "body.promptName and body.promptVersion must be set together" : null;
    }

    private static bool IsValidId(string id) => id.Length is > 0 and <= MaxIdLength && !id.Contains('\r');

    private static bool TryParseTimestamp(JsonElement element, out DateTimeOffset timestamp)
    {
        timestamp = default;
        return element.ValueKind == JsonValueKind.String
            && element.GetString() is { } text
            && (text.EndsWith('Z') || text.EndsWith("z", StringComparison.Ordinal) || HasOffset(text))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out timestamp);
    }

    private static bool HasOffset(string text) =>
        text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':';

    private static string? OptionalId(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.String && IsValidId(value.GetString()!) ? null
            : $"body.{property} must be a string of 1 to {MaxIdLength} characters";

    private static string? OptionalString(JsonElement body, string property, int maxLength = int.MaxValue) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= maxLength ? null
            : maxLength == int.MaxValue ? $"body.{property} must be a string" : $"body.{property} must be a string of at most {maxLength} characters";

    private static string? OptionalBoolean(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False
            ? null
            : $"body.{property} must be true or false";

    private static string? OptionalObject(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Object
            ? null
            : $"body.{property} must be an object";

    private static string? OptionalTimestamp(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null || TryParseTimestamp(value, out _)
            ? null
            : $"body.{property} must be an ISO 8601 date-time with a UTC offset";

    private static string? OptionalEnum(JsonElement body, string property, string[] allowed) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString()) ? null
            : $"body.{property} must be one of {string.Join(", ", allowed)}";

    private static string? OptionalStringArray(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) ? null
            : $"body.{property} must be an array of strings";

    /// <summary>Maps of non-negative numbers; usage may also be OpenAI's usage object with nested token details.</summary>
    private static string? OptionalNumberMap(JsonElement body, string property, bool allowNested)
    {
        if (!body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"body.{property} must be an object of non-negative numbers";
        }

        foreach (var entry in value.EnumerateObject())
        {
            var valid = entry.Value.ValueKind switch
            {
                JsonValueKind.Number => entry.Value.GetDouble() >= 0,
                JsonValueKind.Null => true,
                JsonValueKind.Object => allowNested && entry.Value.EnumerateObject().All(n => n.Value.ValueKind == JsonValueKind.Null || n.Value.ValueKind == JsonValueKind.Number && n.Value.GetDouble() >= 0),
                _ => false,
            };
            if (!valid)
            {
                return $"body.{property}.{entry.Name} must be a non-negative number";
            }
        }

        return null;
    }

    private static (IngestionEvent?, IngestionEventError?) Fail(string id, string detail) =>
        (null, new IngestionEventError(id, StatusCodes.Status400BadRequest, InvalidRequestData, detail));
}
