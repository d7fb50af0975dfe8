using System.Text.Json.Nodes;

namespace TraceIngest.Otlp;

/// <summary>Token usage and cost from the attribute names instrumentations use, in Langfuse's usage/cost keys.</summary>
internal static class GenAiUsage
{
    private static readonly Dictionary<string, string> UsageKeys = new(StringComparer.Ordinal)
    {
        ["gen_ai.usage.input_tokens"] = "input",
        ["gen_ai.usage.prompt_tokens"] = "input",
        ["gen_ai.usage.output_tokens"] = "output",
        ["gen_ai.usage.completion_tokens"] = "output",
        ["gen_ai.usage.total_tokens"] = "total",
        ["llm.token_count.prompt"] = "input",
        ["llm.token_count.completion"] = "output",
        ["llm.token_count.total"] = "total",
    };

    public static JsonObject Usage(SpanAttributes attributes)
    {
        var usage = new JsonObject();
        if (attributes.TakeJson("langfuse.observation.usage_details") is JsonObject declared)
        {
            foreach (var (key, value) in declared)
            {
                if (value is not null && SpanAttributes.Number(value) is >= 0 and var number)
                {
                    usage[key] = (long)number!;
                }
            }
        }

        foreach (var (attribute, key) in UsageKeys)
        {
            if (!usage.ContainsKey(key) && attributes.TakeNumber(attribute) is >= 0 and var tokens)
            {
                usage[key] = (long)tokens!;
            }
        }

        foreach (var (name, value) in attributes.TakePrefixed("gen_ai.usage."))
        {
            if (name != "cost" && value is not null && SpanAttributes.Number(value) is >= 0 and var tokens && !usage.ContainsKey(name))
            {
                usage[name] = (long)tokens!;
            }
        }

        return usage;
    }

    public static JsonObject Cost(SpanAttributes attributes)
    {
        var cost = new JsonObject();
        if (attributes.TakeJson("langfuse.observation.cost_details") is JsonObject declared)
        {
            foreach (var (key, value) in declared)
            {
                if (value is not null && SpanAttributes.Number(value) is >= 0 and var amount)
                {
                    cost[key] = amount;
                }
            }
        }

        if (!cost.ContainsKey("total") && attributes.TakeNumber("gen_ai.usage.cost", "llm.cost.total") is >= 0 and var total)
        {
            cost["total"] = total;
        }

        return cost;
    }
}
