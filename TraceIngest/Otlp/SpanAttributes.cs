using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceIngest.Otlp;

/// <summary>
/// A span's attributes with a record of which ones the mapping used, so that the rest can be kept in the
/// observation's metadata instead of being lost.
/// </summary>
internal sealed class SpanAttributes(IReadOnlyDictionary<string, JsonNode?> attributes)
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public bool Has(string key) => attributes.ContainsKey(key);

    public JsonNode? Take(string key)
    {
        if (!attributes.TryGetValue(key, out var value))
        {
            return null;
        }

        _used.Add(key);
        return value?.DeepClone();
    }

    public JsonNode? TakeFirst(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Take(key) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    public string? TakeString(params string[] keys) => TakeFirst(keys) is { } value ? Text(value) : null;

    /// <summary>A value that may be JSON carried in a string attribute (SDKs serialise objects that way).</summary>
    public JsonNode? TakeJson(params string[] keys) => TakeFirst(keys) is { } value ? ParseIfJson(value) : null;

    public double? TakeNumber(params string[] keys) => TakeFirst(keys) is { } value ? Number(value) : null;

    /// <summary>Every attribute under a prefix, keyed by the rest of its name.</summary>
    public IEnumerable<(string Suffix, JsonNode? Value)> TakePrefixed(string prefix)
    {
        foreach (var key in attributes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length).ToList())
        {
            yield return (key[prefix.Length..], Take(key));
        }
    }

    public JsonObject Unused()
    {
        var rest = new JsonObject();
        foreach (var (key, value) in attributes.Where(a => !_used.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            rest[key] = value?.DeepClone();
        }

        return rest;
    }

    public static string? Text(JsonNode value) =>
        value is JsonValue scalar && scalar.TryGetValue<string>(out var text) ? text : value.ToJsonString();

    public static double? Number(JsonNode value) =>
        value is JsonValue scalar
            ? scalar.TryGetValue<double>(out var d) ? d
            : scalar.TryGetValue<long>(out var l) ? l
            : scalar.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : null
            : null;

    public static JsonNode ParseIfJson(JsonNode value)
    {
        if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text)
            && text.Length > 1 && text[0] is '{' or '[' or '"')
        {
            try
            {
                return JsonNode.Parse(text) ?? value;
            }
            catch (JsonException)
            {
                return value;
            }
        }

        return value;
    }
}
