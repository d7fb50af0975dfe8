using System.Text.Json;

namespace TraceIngest.Otlp;

/// <summary>
/// A span's input and output from the conventions in use: Langfuse's own attributes, the GenAI semantic
/// conventions (message attributes, indexed prompt/completion attributes, message events), OpenInference and
/// Traceloop. The first convention present wins.
/// </summary>
internal static class GenAiMessages
{
    /// <summary>Writes the span's input as one JSON value; false (and nothing written) when it has none.</summary>
    public static bool WriteInput(Utf8JsonWriter json, OtlpSpan span, SpanAttributes attributes)
    {
        if (WriteFirst(json, attributes, "langfuse.observation.input"))
        {
            return true;
        }

        if (attributes.TakeFirst("gen_ai.input.messages") is { IsNull: false } messages)
        {
            var system = attributes.TakeFirst("gen_ai.system_instructions");
            using var list = system.IsNull ? null : messages.ParseStructured();
            if (list is not null && list.RootElement.ValueKind == JsonValueKind.Array)
            {
                json.WriteStartArray();
                json.WriteStartObject();
                json.WriteString("role", "system");
                json.WritePropertyName("content");
                system.WriteParsedTo(json);
                json.WriteEndObject();
                foreach (var message in list.RootElement.EnumerateArray())
                {
                    message.WriteTo(json);
                }

                json.WriteEndArray();
            }
            else
            {
                messages.WriteParsedTo(json);
            }

            return true;
        }

        return WriteFirst(json, attributes, "gen_ai.prompt")
            || WriteIndexed(json, attributes, "gen_ai.prompt.")
            || WriteFirst(json, attributes, "input.value", "traceloop.entity.input", "mlflow.spanInputs", "gen_ai.tool.call.arguments")
            || WriteMessageEvents(json, span, IsInputMessage);
    }

    /// <summary>Writes the span's output as one JSON value; false (and nothing written) when it has none.</summary>
    public static bool WriteOutput(Utf8JsonWriter json, OtlpSpan span, SpanAttributes attributes) =>
        WriteFirst(json, attributes, "langfuse.observation.output")
        || WriteFirst(json, attributes, "gen_ai.output.messages")
        || WriteFirst(json, attributes, "gen_ai.completion")
        || WriteIndexed(json, attributes, "gen_ai.completion.")
        || WriteFirst(json, attributes, "output.value", "traceloop.entity.output", "mlflow.spanOutputs", "gen_ai.tool.call.result")
        || WriteMessageEvents(json, span, IsChoice);

    private static bool IsInputMessage(string name) => name.StartsWith("gen_ai.", StringComparison.Ordinal) && name.EndsWith(".message", StringComparison.Ordinal);

    private static bool IsChoice(string name) => name == "gen_ai.choice";

    private static bool WriteFirst(Utf8JsonWriter json, SpanAttributes attributes, params ReadOnlySpan<string> keys)
    {
        if (attributes.TakeFirst(keys) is not { IsNull: false } value)
        {
            return false;
        }

        value.WriteParsedTo(json);
        return true;
    }

    /// <summary>The older convention: <c>gen_ai.prompt.0.role</c>, <c>gen_ai.prompt.0.content</c>, … as a message list.</summary>
    private static bool WriteIndexed(Utf8JsonWriter json, SpanAttributes attributes, string prefix)
    {
        SortedDictionary<int, List<(string Field, OtlpValue Value)>>? messages = null;
        for (var i = attributes.NextWithPrefix(prefix, -1); i >= 0; i = attributes.NextWithPrefix(prefix, i))
        {
            var suffix = attributes.Key(i).AsSpan(prefix.Length);
            var dot = suffix.IndexOf('.');
            if (dot > 0 && int.TryParse(suffix[..dot], out var index))
            {
                messages ??= [];
                if (!messages.TryGetValue(index, out var message))
                {
                    messages[index] = message = [];
                }

                var field = suffix[(dot + 1)..].ToString();
                var existing = message.FindIndex(m => m.Field == field);
                if (existing >= 0)
                {
                    message[existing] = (field, attributes.Value(i));
                }
                else
                {
                    message.Add((field, attributes.Value(i)));
                }
            }
        }

        if (messages is null)
        {
            return false;
        }

        json.WriteStartArray();
        foreach (var message in messages.Values)
        {
            json.WriteStartObject();
            foreach (var (field, value) in message)
            {
                json.WritePropertyName(field);
                value.WriteParsedTo(json);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        return true;
    }

    private static bool WriteMessageEvents(Utf8JsonWriter json, OtlpSpan span, Func<string, bool> matches)
    {
        var any = false;
        foreach (var spanEvent in span.Events)
        {
            if (!matches(spanEvent.Name))
            {
                continue;
            }

            if (!any)
            {
                json.WriteStartArray();
                any = true;
            }

            json.WriteStartObject();
            for (var i = 0; i < spanEvent.Attributes.Count; i++)
            {
                json.WritePropertyName(spanEvent.Attributes.Key(i));
                spanEvent.Attributes.Value(i).WriteParsedTo(json);
            }

            json.WriteEndObject();
        }

        if (any)
        {
            json.WriteEndArray();
        }

        return any;
    }
}
