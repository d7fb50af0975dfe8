using System.Text.Json.Nodes;

namespace TraceIngest.Otlp;

/// <summary>
/// A span's input and output from the conventions in use: Langfuse's own attributes, the GenAI semantic
/// conventions (message attributes, indexed prompt/completion attributes, message events), OpenInference and
/// Traceloop. The first convention present wins.
/// </summary>
internal static class GenAiMessages
{
    public static JsonNode? Input(OtlpSpan span, SpanAttributes attributes)
    {
        if (attributes.TakeJson("langfuse.observation.input") is { } declared)
        {
            return declared;
        }

        if (attributes.TakeJson("gen_ai.input.messages") is { } messages)
        {
            return attributes.TakeJson("gen_ai.system_instructions") is { } system && messages is JsonArray list
                ? new JsonArray([new JsonObject { ["role"] = "system", ["content"] = system }, .. list.Select(m => m?.DeepClone())])
                : messages;
        }

        return attributes.TakeJson("gen_ai.prompt")
            ?? Indexed(attributes, "gen_ai.prompt.")
            ?? attributes.TakeJson("input.value", "traceloop.entity.input", "mlflow.spanInputs", "gen_ai.tool.call.arguments")
            ?? MessageEvents(span, e => e.StartsWith("gen_ai.", StringComparison.Ordinal) && e.EndsWith(".message", StringComparison.Ordinal));
    }

    public static JsonNode? Output(OtlpSpan span, SpanAttributes attributes) =>
        attributes.TakeJson("langfuse.observation.output")
        ?? attributes.TakeJson("gen_ai.output.messages")
        ?? attributes.TakeJson("gen_ai.completion")
        ?? Indexed(attributes, "gen_ai.completion.")
        ?? attributes.TakeJson("output.value", "traceloop.entity.output", "mlflow.spanOutputs", "gen_ai.tool.call.result")
        ?? MessageEvents(span, e => e == "gen_ai.choice");

    /// <summary>The older convention: <c>gen_ai.prompt.0.role</c>, <c>gen_ai.prompt.0.content</c>, … as a message list.</summary>
    private static JsonArray? Indexed(SpanAttributes attributes, string prefix)
    {
        var messages = new SortedDictionary<int, JsonObject>();
        foreach (var (suffix, value) in attributes.TakePrefixed(prefix))
        {
            var dot = suffix.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(suffix[..dot], out var index))
            {
                if (!messages.TryGetValue(index, out var message))
                {
                    messages[index] = message = new JsonObject();
                }

                message[suffix[(dot + 1)..]] = value is null ? null : SpanAttributes.ParseIfJson(value);
            }
        }

        return messages.Count == 0 ? null : new JsonArray(messages.Values.Select(m => (JsonNode?)m).ToArray());
    }

    private static JsonArray? MessageEvents(OtlpSpan span, Func<string, bool> matches)
    {
        var messages = span.Events
            .Where(e => matches(e.Name))
            .Select(e => (JsonNode?)new JsonObject(e.Attributes.Select(a => KeyValuePair.Create(a.Key, a.Value is null ? null : SpanAttributes.ParseIfJson(a.Value.DeepClone())))))
            .ToArray();
        return messages.Length == 0 ? null : new JsonArray(messages);
    }
}
