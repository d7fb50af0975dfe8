using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TraceIngest.Ingestion;

namespace TraceIngest.Otlp;

/// <summary>
/// Turns OTLP spans into Langfuse ingestion events: each span an observation (kind, model, usage, cost, input and
/// output from the <c>langfuse.*</c>, <c>gen_ai.*</c>, OpenInference and Traceloop conventions), each root span a
/// trace, and each other trace seen here at least a shallow trace so its observations have a parent. Attributes
/// the mapping does not use are kept in the observation's metadata.
/// </summary>
public static class OtlpSpanMapper
{
    private static readonly string[] Levels = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];

    public static List<(IngestionEventType Type, string EventId, JsonObject Body)> Map(IReadOnlyList<OtlpSpan> spans)
    {
        var events = new List<(IngestionEventType, string, JsonObject)>();
        var tracesWithBody = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            var attributes = new SpanAttributes(span.Attributes);
            var trace = TraceBody(span, attributes, out var isRoot);
            var observation = ObservationBody(span, attributes, out var kind);
            if (isRoot)
            {
                // A root span's input and output are its trace's, unless the trace's own attributes said otherwise.
                CopyIfAbsent(observation, trace!, "input");
                CopyIfAbsent(observation, trace!, "output");
            }

            if (trace is not null && (isRoot || trace.Count > 1))
            {
                tracesWithBody.Add(span.TraceId);
                events.Add((IngestionEventType.Find("trace-create")!, $"otel-trace-{span.TraceId}-{span.SpanId}", trace));
            }

            events.Add((IngestionEventType.Find(OtlpObservationTypes.EventTypeName(kind))!, $"otel-{span.TraceId}-{span.SpanId}", observation));
        }

        foreach (var traceId in spans.Select(s => s.TraceId).Distinct(StringComparer.Ordinal).Where(t => !tracesWithBody.Contains(t)))
        {
            events.Add((IngestionEventType.Find("trace-create")!, $"otel-trace-{traceId}", new JsonObject { ["id"] = traceId }));
        }

        return events;
    }

    private static JsonObject? TraceBody(OtlpSpan span, SpanAttributes attributes, out bool isRoot)
    {
        isRoot = span.ParentSpanId is null || attributes.TakeFirst("langfuse.internal.as_root") is JsonValue asRoot && asRoot.TryGetValue<bool>(out var root) && root;
        var body = new JsonObject { ["id"] = span.TraceId };
        Set(body, "name", attributes.TakeString("langfuse.trace.name") is { } name ? name : isRoot ? span.Name : null);
        Set(body, "userId", attributes.TakeString("langfuse.user.id", "user.id"));
        Set(body, "sessionId", attributes.TakeString("langfuse.session.id", "session.id"));
        Set(body, "release", attributes.TakeString("langfuse.release"));
        Set(body, "version", attributes.TakeString("langfuse.trace.version"));
        Set(body, "input", attributes.TakeJson("langfuse.trace.input"));
        Set(body, "output", attributes.TakeJson("langfuse.trace.output"));
        if (attributes.TakeFirst("langfuse.trace.public") is JsonValue isPublic && isPublic.TryGetValue<bool>(out var publicFlag))
        {
            body["public"] = publicFlag;
        }

        if (Tags(attributes.TakeJson("langfuse.trace.tags")) is { Count: > 0 } tags)
        {
            body["tags"] = tags;
        }

        if (Metadata(attributes, "langfuse.trace.metadata") is { Count: > 0 } metadata)
        {
            body["metadata"] = metadata;
        }

        if (isRoot)
        {
            body["timestamp"] = Timestamp(span.StartTimeUnixNano);
            Set(body, "environment", Environment(span, attributes, consume: false));
        }

        return body;
    }

    private static JsonObject ObservationBody(OtlpSpan span, SpanAttributes attributes, out string kind)
    {
        kind = OtlpObservationTypes.Of(attributes);
        var body = new JsonObject
        {
            ["id"] = span.SpanId,
            ["traceId"] = span.TraceId,
            ["name"] = span.Name,
            ["startTime"] = Timestamp(span.StartTimeUnixNano),
        };
        Set(body, "parentObservationId", span.ParentSpanId);
        if (span.EndTimeUnixNano > 0)
        {
            body["endTime"] = Timestamp(span.EndTimeUnixNano);
        }

        var level = attributes.TakeString("langfuse.observation.level")?.ToUpperInvariant();
        Set(body, "level", level is not null && Levels.Contains(level) ? level : span.StatusCode == OtlpSpan.StatusError ? "ERROR" : null);
        Set(body, "statusMessage", attributes.TakeString("langfuse.observation.status_message") ?? span.StatusMessage ?? ExceptionMessage(span));
        Set(body, "environment", Environment(span, attributes, consume: true));
        Set(body, "version", attributes.TakeString("langfuse.version"));
        Set(body, "model", attributes.TakeString(OtlpObservationTypes.ModelAttributes));
        Set(body, "completionStartTime", attributes.TakeString("langfuse.observation.completion_start_time")?.Trim('"'));
        Set(body, "promptName", attributes.TakeString("langfuse.observation.prompt.name"));
        if (body["promptName"] is not null && attributes.TakeNumber("langfuse.observation.prompt.version") is { } promptVersion)
        {
            body["promptVersion"] = (int)promptVersion;
        }
        else
        {
            body.Remove("promptName");
        }

        Set(body, "input", GenAiMessages.Input(span, attributes));
        Set(body, "output", GenAiMessages.Output(span, attributes));
        SetNonEmpty(body, "modelParameters", ModelParameters(attributes));
        SetNonEmpty(body, "usageDetails", GenAiUsage.Usage(attributes));
        SetNonEmpty(body, "costDetails", GenAiUsage.Cost(attributes));

        var metadata = Metadata(attributes, "langfuse.observation.metadata");
        if (attributes.Unused() is { Count: > 0 } rest)
        {
            metadata["attributes"] = rest;
        }

        if (span.ResourceAttributes.Count > 0)
        {
            metadata["resourceAttributes"] = new JsonObject(span.ResourceAttributes.Select(a => KeyValuePair.Create(a.Key, a.Value?.DeepClone())));
        }

        if (span.Scope.Name.Length > 0)
        {
            metadata["scope"] = new JsonObject { ["name"] = span.Scope.Name, ["version"] = span.Scope.Version };
        }

        SetNonEmpty(body, "metadata", metadata);
        return body;
    }

    private static string? Environment(OtlpSpan span, SpanAttributes attributes, bool consume)
    {
        var fromSpan = consume ? attributes.TakeString("langfuse.environment") : null;
        if (fromSpan is not null)
        {
            return fromSpan;
        }

        foreach (var key in new[] { "langfuse.environment", "deployment.environment.name", "deployment.environment" })
        {
            if (span.ResourceAttributes.TryGetValue(key, out var value) && value is not null)
            {
                return SpanAttributes.Text(value);
            }
        }

        return span.Attributes.TryGetValue("langfuse.environment", out var attribute) && attribute is not null ? SpanAttributes.Text(attribute) : null;
    }

    private static JsonObject ModelParameters(SpanAttributes attributes)
    {
        var parameters = attributes.TakeJson("langfuse.observation.model.parameters") as JsonObject ?? new JsonObject();
        foreach (var (name, value) in attributes.TakePrefixed("gen_ai.request."))
        {
            if (name != "model")
            {
                parameters[name] = value;
            }
        }

        return parameters;
    }

    private static JsonObject Metadata(SpanAttributes attributes, string prefix)
    {
        var metadata = attributes.TakeJson(prefix) as JsonObject ?? new JsonObject();
        foreach (var (name, value) in attributes.TakePrefixed(prefix + "."))
        {
            metadata[name] = value is null ? null : SpanAttributes.ParseIfJson(value);
        }

        return metadata;
    }

    private static JsonArray? Tags(JsonNode? value) => value switch
    {
        JsonArray array => new JsonArray(array.Where(t => t is not null).Select(t => (JsonNode?)JsonValue.Create(SpanAttributes.Text(t!))).ToArray()),
        JsonValue scalar when scalar.TryGetValue<string>(out var text) => new JsonArray(text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
        _ => null,
    };

    private static string? ExceptionMessage(OtlpSpan span) =>
        span.Events.FirstOrDefault(e => e.Name == "exception") is { } exception
        && exception.Attributes.TryGetValue("exception.message", out var message) && message is not null
            ? SpanAttributes.Text(message)
            : null;

    internal static string Timestamp(ulong unixNanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void Set(JsonObject body, string property, JsonNode? value)
    {
        if (value is not null)
        {
            body[property] = value;
        }
    }

    private static void Set(JsonObject body, string property, string? value)
    {
        if (value is not null)
        {
            body[property] = value;
        }
    }

    private static void SetNonEmpty(JsonObject body, string property, JsonObject value)
    {
        if (value.Count > 0)
        {
            body[property] = value;
        }
    }

    private static void CopyIfAbsent(JsonObject from, JsonObject to, string property)
    {
        if (!to.ContainsKey(property) && from[property] is { } value)
        {
            to[property] = value.DeepClone();
        }
    }

    internal static JsonElement ToElement(JsonObject body) => JsonSerializer.SerializeToElement(body);
}
