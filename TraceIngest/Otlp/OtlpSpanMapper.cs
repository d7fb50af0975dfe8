using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TraceIngest.Ingestion;

namespace TraceIngest.Otlp;

/// <summary>
/// Turns OTLP spans into Langfuse ingestion events: each span an observation (kind, model, usage, cost, input and
/// output from the <c>langfuse.*</c>, <c>gen_ai.*</c>, OpenInference and Traceloop conventions), each root span a
/// trace, and each other trace seen here at least a shallow trace so its observations have a parent. Attributes
/// the mapping does not use are kept in the observation's metadata. Events are written straight into the
/// request's batch as each span is decoded; one mapper serves one request.
/// </summary>
public sealed class OtlpSpanMapper(IngestionBatchWriter batch)
{
    private static readonly IngestionEventType TraceCreate = IngestionEventType.Find("trace-create")!;
    private static readonly string[] Levels = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];

    private readonly SpanAttributes _attributes = new();
    private readonly GenAiUsage _usage = new();
    private readonly JsonScratch _trace = new();
    private readonly JsonScratch _input = new();
    private readonly JsonScratch _output = new();
    private readonly List<Member> _members = [];
    private readonly List<string> _traceIds = [];
    private readonly HashSet<string> _seenTraces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tracesWithBody = new(StringComparer.Ordinal);

    private enum MemberSource
    {
        /// <summary>An attribute's value as it is.</summary>
        Value,

        /// <summary>An attribute's value, a string holding JSON written as that JSON.</summary>
        ParsedValue,
        UnusedAttributes,
        ResourceAttributes,
        Scope,
    }

    public void Add(OtlpSpan span)
    {
        var attributes = _attributes;
        attributes.Reset(span.Attributes);
        if (_seenTraces.Add(span.TraceId))
        {
            _traceIds.Add(span.TraceId);
        }

        var isRoot = span.ParentSpanId is null || attributes.Take("langfuse.internal.as_root").IsBoolTrue;
        var trace = _trace.Start();
        var traceFields = WriteTraceFields(trace, span, attributes, isRoot, out var traceHasInput, out var traceHasOutput);

        var kind = OtlpObservationTypes.Of(attributes);
        var hasInput = GenAiMessages.WriteInput(_input.Start(), span, attributes);
        var hasOutput = GenAiMessages.WriteOutput(_output.Start(), span, attributes);
        if (isRoot)
        {
            // A root span's input and output are its trace's, unless the trace's own attributes said otherwise.
            if (hasInput && !traceHasInput)
            {
                trace.WritePropertyName("input");
                trace.WriteRawValue(_input.Written, skipInputValidation: true);
            }

            if (hasOutput && !traceHasOutput)
            {
                trace.WritePropertyName("output");
                trace.WriteRawValue(_output.Written, skipInputValidation: true);
            }
        }

        trace.WriteEndObject();
        if (isRoot || traceFields > 0)
        {
            _tracesWithBody.Add(span.TraceId);
            batch.Add(string.Concat("otel-trace-", span.TraceId, "-", span.SpanId), TraceCreate, batch.ReceivedAt, span.TraceId, _trace.Written);
        }

        var observation = batch.BeginEvent(string.Concat("otel-", span.TraceId, "-", span.SpanId), OtlpObservationTypes.CreateEvent(kind), batch.ReceivedAt, span.SpanId);
        WriteObservation(observation, span, attributes, hasInput, hasOutput);
        batch.EndEvent();
    }

    /// <summary>Adds a shallow trace for every trace whose spans here gave it no body of its own.</summary>
    public void Complete()
    {
        foreach (var traceId in _traceIds)
        {
            if (!_tracesWithBody.Contains(traceId))
            {
                var json = batch.BeginEvent(string.Concat("otel-trace-", traceId), TraceCreate, batch.ReceivedAt, traceId);
                json.WriteStartObject();
                json.WriteString("id", traceId);
                json.WriteEndObject();
                batch.EndEvent();
            }
        }

        _traceIds.Clear();
    }

    /// <summary>Writes the trace's id and the fields the span gives it, leaving the object open; returns how many fields.</summary>
    private int WriteTraceFields(Utf8JsonWriter json, OtlpSpan span, SpanAttributes attributes, bool isRoot, out bool hasInput, out bool hasOutput)
    {
        json.WriteStartObject();
        json.WriteString("id", span.TraceId);
        var fields = WriteString(json, "name", attributes.TakeString("langfuse.trace.name") ?? (isRoot ? span.Name : null))
            + WriteString(json, "userId", attributes.TakeString("langfuse.user.id", "user.id"))
            + WriteString(json, "sessionId", attributes.TakeString("langfuse.session.id", "session.id"))
            + WriteString(json, "release", attributes.TakeString("langfuse.release"))
            + WriteString(json, "version", attributes.TakeString("langfuse.trace.version"));
        hasInput = WriteParsed(json, "input", attributes.TakeFirst("langfuse.trace.input"));
        hasOutput = WriteParsed(json, "output", attributes.TakeFirst("langfuse.trace.output"));
        fields += (hasInput ? 1 : 0) + (hasOutput ? 1 : 0);
        if (attributes.TakeFirst("langfuse.trace.public") is { Kind: OtlpValueKind.Bool } isPublic)
        {
            json.WriteBoolean("public", isPublic.IsBoolTrue);
            fields++;
        }

        if (WriteTags(json, attributes.TakeFirst("langfuse.trace.tags")))
        {
            fields++;
        }

        if (WriteMetadata(json, span, attributes, "langfuse.trace.metadata", "langfuse.trace.metadata.", ofObservation: false))
        {
            fields++;
        }

        if (isRoot)
        {
            WriteTimestamp(json, "timestamp", span.StartTimeUnixNano);
            WriteString(json, "environment", Environment(span, attributes, consume: false));
        }

        return fields;
    }

    private void WriteObservation(Utf8JsonWriter json, OtlpSpan span, SpanAttributes attributes, bool hasInput, bool hasOutput)
    {
        json.WriteStartObject();
        json.WriteString("id", span.SpanId);
        json.WriteString("traceId", span.TraceId);
        json.WriteString("name", span.Name);
        WriteTimestamp(json, "startTime", span.StartTimeUnixNano);
        WriteString(json, "parentObservationId", span.ParentSpanId);
        if (span.EndTimeUnixNano > 0)
        {
            WriteTimestamp(json, "endTime", span.EndTimeUnixNano);
        }

        var level = attributes.TakeString("langfuse.observation.level")?.ToUpperInvariant();
        WriteString(json, "level", level is not null && Levels.Contains(level) ? level : span.StatusCode == OtlpSpan.StatusError ? "ERROR" : null);
        WriteString(json, "statusMessage", attributes.TakeString("langfuse.observation.status_message") ?? span.StatusMessage ?? ExceptionMessage(span));
        WriteString(json, "environment", Environment(span, attributes, consume: true));
        WriteString(json, "version", attributes.TakeString("langfuse.version"));
        WriteString(json, "model", attributes.TakeString(OtlpObservationTypes.ModelAttributes));
        WriteString(json, "completionStartTime", attributes.TakeString("langfuse.observation.completion_start_time")?.Trim('"'));
        if (attributes.TakeString("langfuse.observation.prompt.name") is { } promptName
            && attributes.TakeNumber("langfuse.observation.prompt.version") is { } promptVersion)
        {
            json.WriteString("promptName", promptName);
            json.WriteNumber("promptVersion", (int)promptVersion);
        }

        if (hasInput)
        {
            json.WritePropertyName("input");
            json.WriteRawValue(_input.Written, skipInputValidation: true);
        }

        if (hasOutput)
        {
            json.WritePropertyName("output");
            json.WriteRawValue(_output.Written, skipInputValidation: true);
        }

        WriteModelParameters(json, attributes);
        _usage.WriteUsage(json, attributes);
        _usage.WriteCost(json, attributes);
        WriteMetadata(json, span, attributes, "langfuse.observation.metadata", "langfuse.observation.metadata.", ofObservation: true);
        json.WriteEndObject();
    }

    private static string? Environment(OtlpSpan span, SpanAttributes attributes, bool consume) =>
        (consume ? attributes.TakeString("langfuse.environment") : null)
        ?? span.Resource.Environment
        ?? attributes.Peek("langfuse.environment").Text();

    private void WriteModelParameters(Utf8JsonWriter json, SpanAttributes attributes)
    {
        const string prefix = "gen_ai.request.";
        _members.Clear();
        using var declared = attributes.TakeFirst("langfuse.observation.model.parameters").ParseStructured();
        for (var i = attributes.NextWithPrefix(prefix, -1); i >= 0; i = attributes.NextWithPrefix(prefix, i))
        {
            var name = attributes.Key(i).AsMemory(prefix.Length);
            if (!name.Span.SequenceEqual("model"))
            {
                AddMember(name, MemberSource.Value, attributes.Value(i));
            }
        }

        WriteMerged(json, "modelParameters", declared, null, attributes);
    }

    /// <summary>
    /// The metadata object (<paramref name="prefix"/> as JSON, overlaid with every <c>prefix.key</c> attribute) and,
    /// for an observation, the unused attributes, the resource's attributes and the scope.
    /// </summary>
    private bool WriteMetadata(Utf8JsonWriter json, OtlpSpan span, SpanAttributes attributes, string prefix, string prefixDot, bool ofObservation)
    {
        _members.Clear();
        using var declared = attributes.TakeFirst(prefix).ParseStructured();
        for (var i = attributes.NextWithPrefix(prefixDot, -1); i >= 0; i = attributes.NextWithPrefix(prefixDot, i))
        {
            AddMember(attributes.Key(i).AsMemory(prefixDot.Length), MemberSource.ParsedValue, attributes.Value(i));
        }

        if (ofObservation)
        {
            if (attributes.HasUnused())
            {
                AddMember("attributes".AsMemory(), MemberSource.UnusedAttributes, default);
            }

            if (span.Resource.Attributes.Count > 0)
            {
                AddMember("resourceAttributes".AsMemory(), MemberSource.ResourceAttributes, default);
            }

            if (span.Scope.Name.Length > 0)
            {
                AddMember("scope".AsMemory(), MemberSource.Scope, default);
            }
        }

        return WriteMerged(json, "metadata", declared, span, attributes);
    }

    private void AddMember(ReadOnlyMemory<char> name, MemberSource source, OtlpValue value)
    {
        var members = CollectionsMarshal.AsSpan(_members);
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i].Name.Span.SequenceEqual(name.Span))
            {
                members[i] = members[i] with { Source = source, Value = value };
                return;
            }
        }

        _members.Add(new Member(name, source, value));
    }

    /// <summary>
    /// Writes the declared object (when the value is a JSON object) with the members laid over it: a member with a
    /// declared key takes that key's place, the others follow. Nothing when both are empty.
    /// </summary>
    private bool WriteMerged(Utf8JsonWriter json, string property, JsonDocument? declared, OtlpSpan? span, SpanAttributes attributes)
    {
        var declaredObject = declared is not null && declared.RootElement.ValueKind == JsonValueKind.Object ? declared.RootElement : default;
        var hasDeclared = declaredObject.ValueKind == JsonValueKind.Object && declaredObject.GetPropertyCount() > 0;
        if (!hasDeclared && _members.Count == 0)
        {
            return false;
        }

        json.WriteStartObject(property);
        var members = CollectionsMarshal.AsSpan(_members);
        if (hasDeclared)
        {
            foreach (var declaredProperty in declaredObject.EnumerateObject())
            {
                var replaced = false;
                for (var i = 0; i < members.Length; i++)
                {
                    if (declaredProperty.NameEquals(members[i].Name.Span))
                    {
                        if (!members[i].Written)
                        {
                            WriteMember(json, ref members[i], span, attributes);
                        }

                        replaced = true;
                        break;
                    }
                }

                if (!replaced)
                {
                    declaredProperty.WriteTo(json);
                }
            }
        }

        for (var i = 0; i < members.Length; i++)
        {
            if (!members[i].Written)
            {
                WriteMember(json, ref members[i], span, attributes);
            }
        }

        json.WriteEndObject();
        return true;
    }

    private static void WriteMember(Utf8JsonWriter json, ref Member member, OtlpSpan? span, SpanAttributes attributes)
    {
        json.WritePropertyName(member.Name.Span);
        switch (member.Source)
        {
            case MemberSource.Value:
                member.Value.WriteTo(json);
                break;
            case MemberSource.ParsedValue:
                member.Value.WriteParsedTo(json);
                break;
            case MemberSource.UnusedAttributes:
                attributes.WriteUnused(json);
                break;
            case MemberSource.ResourceAttributes:
                json.WriteRawValue(span!.Resource.Json, skipInputValidation: true);
                break;
            case MemberSource.Scope:
                json.WriteStartObject();
                json.WriteString("name", span!.Scope.Name);
                json.WriteString("version", span.Scope.Version);
                json.WriteEndObject();
                break;
        }

        member.Written = true;
    }

    /// <summary>Tags from an array, or from a comma-separated string.</summary>
    private static bool WriteTags(Utf8JsonWriter json, OtlpValue value)
    {
        if (value.IsNull)
        {
            return false;
        }

        using var structured = value.ParseStructured();
        var root = structured?.RootElement ?? default;
        IEnumerable<string>? tags = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray().Where(t => t.ValueKind != JsonValueKind.Null).Select(Text).ToList(),
            JsonValueKind.String => Split(root.GetString()!),
            JsonValueKind.Undefined when structured is null && value.Kind == OtlpValueKind.String => Split(value.Text()!),
            _ => null,
        };

        var any = false;
        foreach (var tag in tags ?? [])
        {
            if (!any)
            {
                json.WriteStartArray("tags");
                any = true;
            }

            json.WriteStringValue(tag);
        }

        if (any)
        {
            json.WriteEndArray();
        }

        return any;
    }

    private static string[] Split(string tags) => tags.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A JSON value as text: a string as it is, anything else as compact JSON.</summary>
    private static string Text(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? ExceptionMessage(OtlpSpan span)
    {
        foreach (var spanEvent in span.Events)
        {
            if (spanEvent.Name == "exception")
            {
                return spanEvent.Attributes.TryGetValue("exception.message", out var message) ? message.Text() : null;
            }
        }

        return null;
    }

    private static int WriteString(Utf8JsonWriter json, string property, string? value)
    {
        if (value is null)
        {
            return 0;
        }

        json.WriteString(property, value);
        return 1;
    }

    private static bool WriteParsed(Utf8JsonWriter json, string property, OtlpValue value)
    {
        if (value.IsNull)
        {
            return false;
        }

        json.WritePropertyName(property);
        value.WriteParsedTo(json);
        return true;
    }

    /// <summary>Nanoseconds since the Unix epoch as ISO 8601 with 100 ns precision, as Langfuse's timestamps.</summary>
    private static void WriteTimestamp(Utf8JsonWriter json, string property, ulong unixNanos)
    {
        Span<char> text = stackalloc char[32];
        new DateTime(DateTime.UnixEpoch.Ticks + (long)(unixNanos / 100), DateTimeKind.Utc)
            .TryFormat(text, out var length, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        json.WriteString(property, text[..length]);
    }

    private record struct Member(ReadOnlyMemory<char> Name, MemberSource Source, OtlpValue Value)
    {
        public bool Written { get; set; }
    }
}
