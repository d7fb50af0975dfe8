using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Configuration;

/// <summary>
/// Typed reads of YAML scalars with PyYAML's meanings (LiteLLM parses its config with PyYAML), resolving
/// <c>os.environ/NAME</c> and reporting each problem with the value's YAML path.
/// </summary>
internal sealed class YamlValues(Func<string, string?> environment)
{
    private const string EnvironmentPrefix = "os.environ/";

    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Errors => _errors;
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Collects the variables of <c>os.environ/</c> references that are not set, while non-null.</summary>
    public List<string>? UnresolvedSink { get; set; }

    public void Error(string path, string reason) => _errors.Add($"{path}: {reason}");

    public void Warning(string path, string reason) => _warnings.Add($"{path}: {reason}");

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(path, "must be a mapping of keys to values");
        return null;
    }

    public static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode mapping) =>
        mapping.Children.Select(pair => (((pair.Key as YamlScalarNode)?.Value) ?? string.Empty, pair.Value));

    /// <summary>The scalar's text with <c>os.environ/NAME</c> resolved; null when absent or unset.</summary>
    public string? String(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Error(path, "must be a single value, not a list or mapping");
            return null;
        }

        var value = scalar.Value ?? string.Empty;
        if (!value.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
        {
            return value;
        }

        var name = value[EnvironmentPrefix.Length..];
        if (name.Length == 0)
        {
            Error(path, "'os.environ/' names no environment variable");
            return null;
        }

        var resolved = environment(name);
        if (string.IsNullOrEmpty(resolved))
        {
            Warning(path, $"environment variable {name} is not set");
            UnresolvedSink?.Add(name);
            return null;
        }

        return resolved;
    }

    public int? Int(YamlNode node, string path, int minimum)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(path, $"'{text}' is not a whole number");
            return null;
        }

        if (value < minimum)
        {
            Error(path, $"{value} is less than {minimum}");
            return null;
        }

        return value;
    }

    public double? Number(YamlNode node, string path, double minimum)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(path, $"'{text}' is not a number");
            return null;
        }

        if (value < minimum)
        {
            Error(path, $"{text} is less than {minimum.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    public decimal? Decimal(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            Error(path, $"'{text}' is not a non-negative number");
            return null;
        }

        return value;
    }

    /// <summary>A duration written in seconds, as LiteLLM writes timeouts and cooldowns.</summary>
    public TimeSpan? Seconds(YamlNode node, string path, bool allowZero)
    {
        var value = Number(node, path, 0);
        if (value is null)
        {
            return null;
        }

        if (value == 0 && !allowZero)
        {
            Error(path, "must be more than 0 seconds");
            return null;
        }

        return TimeSpan.FromSeconds(value.Value);
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = String(node, path);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(path, $"'{text}' is not true or false");
                return null;
        }
    }

    /// <summary>A list of strings; a single string is taken as a list of one, as LiteLLM does.</summary>
    public IReadOnlyList<string> StringList(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is YamlScalarNode)
        {
            return String(node, path) is { } single ? [single] : [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(path, "must be a list of names");
            return [];
        }

        var values = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (String(sequence.Children[i], $"{path}[{i}]") is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }
}
