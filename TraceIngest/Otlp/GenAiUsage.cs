using System.Globalization;
using System.Text.Json;

namespace TraceIngest.Otlp;

/// <summary>Token usage and cost from the attribute names instrumentations use, in Langfuse's usage/cost keys.</summary>
internal sealed class GenAiUsage
{
    private const string UsagePrefix = "gen_ai.usage.";

    private static readonly (string Attribute, string Key)[] UsageKeys =
    [
        ("gen_ai.usage.input_tokens", "input"),
        ("gen_ai.usage.prompt_tokens", "input"),
        ("gen_ai.usage.output_tokens", "output"),
        ("gen_ai.usage.completion_tokens", "output"),
        ("gen_ai.usage.total_tokens", "total"),
        ("llm.token_count.prompt", "input"),
        ("llm.token_count.completion", "output"),
        ("llm.token_count.total", "total"),
    ];

    private readonly List<(ReadOnlyMemory<char> Key, long Tokens)> _usage = [];
    private readonly List<(ReadOnlyMemory<char> Key, double Amount)> _cost = [];

    public void WriteUsage(Utf8JsonWriter json, SpanAttributes attributes)
    {
        _usage.Clear();
        AddDeclared(attributes.TakeFirst("langfuse.observation.usage_details"), _usage, static tokens => (long)tokens);

        foreach (var (attribute, key) in UsageKeys)
        {
            if (IndexOf(_usage, key) < 0 && attributes.TakeNumber(attribute) is { } tokens && tokens >= 0)
            {
                _usage.Add((key.AsMemory(), (long)tokens));
            }
        }

        for (var i = attributes.NextWithPrefix(UsagePrefix, -1); i >= 0; i = attributes.NextWithPrefix(UsagePrefix, i))
        {
            var name = attributes.Key(i).AsMemory(UsagePrefix.Length);
            if (!name.Span.SequenceEqual("cost") && attributes.Value(i).Number() is { } tokens && tokens >= 0 && IndexOf(_usage, name.Span) < 0)
            {
                _usage.Add((name, (long)tokens));
            }
        }

        if (_usage.Count > 0)
        {
            json.WriteStartObject("usageDetails");
            foreach (var (key, tokens) in _usage)
            {
                json.WriteNumber(key.Span, tokens);
            }

            json.WriteEndObject();
        }
    }

    public void WriteCost(Utf8JsonWriter json, SpanAttributes attributes)
    {
        _cost.Clear();
        AddDeclared(attributes.TakeFirst("langfuse.observation.cost_details"), _cost, static amount => amount);

        if (IndexOf(_cost, "total") < 0 && attributes.TakeNumber("gen_ai.usage.cost", "llm.cost.total") is { } total && total >= 0)
        {
            _cost.Add(("total".AsMemory(), total));
        }

        if (_cost.Count > 0)
        {
            json.WriteStartObject("costDetails");
            foreach (var (key, amount) in _cost)
            {
                json.WritePropertyName(key.Span);
                OtlpValue.WriteDouble(json, amount);
            }

            json.WriteEndObject();
        }
    }

    /// <summary>The non-negative numbers of a declared JSON object (Langfuse's SDKs send usage and cost that way).</summary>
    private static void AddDeclared<T>(OtlpValue declared, List<(ReadOnlyMemory<char> Key, T Value)> into, Func<double, T> convert)
    {
        using var document = declared.ParseStructured();
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var entry in document.RootElement.EnumerateObject())
        {
            if (Number(entry.Value) is { } number && number >= 0)
            {
                Set(into, entry.Name.AsMemory(), convert(number));
            }
        }
    }

    /// <summary>A JSON number, or a string that holds one.</summary>
    private static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var number) => number,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static int IndexOf<T>(List<(ReadOnlyMemory<char> Key, T Value)> entries, ReadOnlySpan<char> key)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key.Span.SequenceEqual(key))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Set<T>(List<(ReadOnlyMemory<char> Key, T Value)> entries, ReadOnlyMemory<char> key, T value)
    {
        var index = IndexOf(entries, key.Span);
        if (index >= 0)
        {
            entries[index] = (entries[index].Key, value);
        }
        else
        {
            entries.Add((key, value));
        }
    }
}
