using System.Text.Json;

namespace TraceIngest.Worker;

/// <summary>
/// Usage in Langfuse's keys from the shapes clients send: <c>usageDetails</c> (any counts, or OpenAI's usage
/// objects, whose <c>*_tokens_details</c> become <c>input_*</c>/<c>output_*</c> and are taken out of input and
/// output), and the legacy <c>usage</c> object with its own costs.
/// </summary>
internal static class UsageDetails
{
    public static bool MergeInto(JsonElement body, Dictionary<string, ulong> usage)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (body.TryGet("usageDetails", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            ReadDetails(details, found);
        }
        else if (body.TryGet("usage", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
        {
            ReadLegacy(legacy, found);
        }

        if (found.Count == 0)
        {
            return false;
        }

        foreach (var (key, value) in found)
        {
            usage[key] = value;
        }

        if (!found.ContainsKey("total"))
        {
            usage["total"] = usage.Where(u => u.Key != "total").Aggregate(0UL, (sum, u) => sum + u.Value);
        }

        return true;
    }

    /// <summary>Costs the client computed itself: <c>costDetails</c>, or the legacy usage's input/output/total cost.</summary>
    public static Dictionary<string, double> ProvidedCost(JsonElement body)
    {
        var cost = new Dictionary<string, double>(StringComparer.Ordinal);
        if (body.TryGet("costDetails", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in details.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Number))
            {
                cost[entry.Name] = entry.Value.GetDouble();
            }
        }
        else if (body.TryGet("usage", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
        {
            AddNumber(legacy, "inputCost", "input", cost);
            AddNumber(legacy, "outputCost", "output", cost);
            AddNumber(legacy, "totalCost", "total", cost);
        }

        if (cost.Count > 0 && !cost.ContainsKey("total"))
        {
            cost["total"] = cost.Values.Sum();
        }

        return cost;
    }

    private static void ReadDetails(JsonElement details, Dictionary<string, ulong> found)
    {
        foreach (var entry in details.EnumerateObject())
        {
            var name = entry.Name switch
            {
                "prompt_tokens" or "input_tokens" => "input",
                "completion_tokens" or "output_tokens" => "output",
                "total_tokens" => "total",
                _ => entry.Name,
            };
            if (entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetDouble(out var count) && count >= 0)
            {
                found[name] = (ulong)count;
            }
            else if (entry.Value.ValueKind == JsonValueKind.Object && entry.Name.EndsWith("_tokens_details", StringComparison.Ordinal))
            {
                var side = entry.Name.StartsWith("prompt", StringComparison.Ordinal) || entry.Name.StartsWith("input", StringComparison.Ordinal) ? "input" : "output";
                foreach (var part in entry.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Value.GetDouble() >= 0))
                {
                    found[$"{side}_{part.Name}"] = (ulong)part.Value.GetDouble();
                }
            }
        }

        // The detailed parts are counted inside input/output by OpenAI; Langfuse keeps them apart.
        foreach (var side in new[] { "input", "output" })
        {
            if (found.TryGetValue(side, out var whole))
            {
                var parts = found.Where(f => f.Key.StartsWith(side + "_", StringComparison.Ordinal)).Aggregate(0UL, (sum, f) => sum + f.Value);
                found[side] = whole >= parts ? whole - parts : 0;
            }
        }
    }

    private static void ReadLegacy(JsonElement legacy, Dictionary<string, ulong> found)
    {
        foreach (var (property, key) in new[] { ("input", "input"), ("promptTokens", "input"), ("output", "output"), ("completionTokens", "output"), ("total", "total"), ("totalTokens", "total") })
        {
            if (legacy.TryGet(property, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() >= 0)
            {
                found[key] = (ulong)value.GetDouble();
            }
        }
    }

    private static void AddNumber(JsonElement owner, string property, string key, Dictionary<string, double> into)
    {
        if (owner.TryGet(property, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            into[key] = value.GetDouble();
        }
    }
}
