using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace TraceIngest.Ingestion;

/// <summary>
/// Applies the configured masking rules to the input, output and metadata of events (of traces and observations,
/// at any depth). Rules run on the linear-time engine, which needs no time limit, so a busy machine cannot change what
/// they mask. A pattern that engine cannot run (backreferences, lookarounds, atomic groups) runs on the backtracking
/// engine with a time budget instead, and exceeding it on a value masks the whole value: failing open would store
/// exactly what the rule exists to keep out.
/// </summary>
public sealed class IngestionMasking
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly string[] MaskedProperties = ["input", "output", "metadata"];
    private readonly (Regex Pattern, string Replacement)[] _rules;

    public IngestionMasking(IOptions<MaskingOptions> options)
    {
        _rules = options.Value.Rules.Select(rule => (Compile(rule.Pattern), rule.Replacement)).ToArray();
    }

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
    }

    public bool Enabled => _rules.Length > 0;

    public IngestionEvent Apply(IngestionEvent ingestionEvent)
    {
        if (!Enabled || !MaskedProperties.Any(p => ingestionEvent.Body.TryGetProperty(p, out _)))
        {
            return ingestionEvent;
        }

        var body = JsonNode.Parse(ingestionEvent.Body.GetRawText())!.AsObject();
        foreach (var property in MaskedProperties)
        {
            if (body[property] is { } value)
            {
                body[property] = Mask(value);
            }
        }

        return ingestionEvent with { Body = JsonSerializer.SerializeToElement(body) };
    }

    private JsonNode? Mask(JsonNode node) => node switch
    {
        JsonObject map => new JsonObject(map.Select(entry => KeyValuePair.Create(entry.Key, entry.Value is null ? null : Mask(entry.Value)))),
        JsonArray list => new JsonArray(list.Select(item => item is null ? null : Mask(item)).ToArray()),
        JsonValue scalar when scalar.TryGetValue<string>(out var text) => JsonValue.Create(MaskText(text)),
        _ => node.DeepClone(),
    };

    private string MaskText(string text)
    {
        foreach (var (pattern, replacement) in _rules)
        {
            try
            {
                text = pattern.Replace(text, replacement);
            }
            catch (RegexMatchTimeoutException)
            {
                return replacement;
            }
        }

        return text;
    }
}
