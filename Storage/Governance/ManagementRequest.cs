using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Storage.Governance;

/// <summary>
/// A management API request body, read field by field with LiteLLM's names. A field that is absent or <c>null</c>
/// is "not given" (as in LiteLLM, whose updates skip <c>None</c>); a field of the wrong type or out of range stops
/// the request with a 400 naming the field. Fields the gateway does not know are ignored, as LiteLLM ignores them.
/// </summary>
public sealed class ManagementRequest(JsonObject body)
{
    public const int MaxIdLength = 256;

    public JsonObject Body { get; } = body;

    public static async Task<ManagementRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new ManagementRequestException($"The request body is not valid JSON: {exception.Message}");
        }

        return node is JsonObject body ? new ManagementRequest(body) : throw new ManagementRequestException("The request body must be a JSON object.");
    }

    public static ManagementRequest Empty() => new([]);

    public bool Has(string name) => Body[name] is not null;

    public string? String(string name, int maxLength = MaxIdLength)
    {
        if (Body[name] is not { } node)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            throw Invalid(name, "must be a string");
        }

        var value = node.GetValue<string>();
        return value.Length > maxLength ? throw Invalid(name, $"must be at most {maxLength} characters") : value;
    }

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } value ? value : throw new ManagementRequestException($"{name} is required.", name);

    /// <summary>US dollars: a number from 0 to a billion.</summary>
    public double? Money(string name)
    {
        var value = Number(name);
        return value is < 0 or > Usd.MaxDollars ? throw Invalid(name, "must be a number from 0 to 1000000000 (US dollars)") : value;
    }

    public long? Count(string name)
    {
        if (Number(name) is not { } value)
        {
            return null;
        }

        return value is < 0 or > int.MaxValue || value != Math.Floor(value) ? throw Invalid(name, "must be a whole number, 0 or more") : (long)value;
    }

    public bool? Bool(string name) => Body[name] switch
    {
        null => null,
        var node when node.GetValueKind() is JsonValueKind.True or JsonValueKind.False => node.GetValue<bool>(),
        _ => throw Invalid(name, "must be true or false"),
    };

    public List<string>? StringList(string name)
    {
        if (Body[name] is not { } node)
        {
            return null;
        }

        if (node is not JsonArray array || array.Any(item => item?.GetValueKind() != JsonValueKind.String))
        {
            throw Invalid(name, "must be a list of strings");
        }

        var values = array.Select(item => item!.GetValue<string>()).ToList();
        return values.Any(v => v.Length is 0 or > MaxIdLength) ? throw Invalid(name, $"must hold strings of 1 to {MaxIdLength} characters") : values;
    }

    public List<string>? Ids(string name) => StringList(name) is { } ids ? ids.Distinct(StringComparer.Ordinal).ToList() : null;

    public JsonObject? Object(string name) => Body[name] switch
    {
        null => null,
        JsonObject value => value,
        _ => throw Invalid(name, "must be a JSON object"),
    };

    /// <summary>A LiteLLM duration (<c>30s</c>, <c>30m</c>, <c>30h</c>, <c>30d</c>, <c>2w</c>, <c>1mo</c>).</summary>
    public BudgetDuration? Duration(string name) =>
        String(name) is not { } text ? null
        : BudgetDuration.TryParse(text, out var duration) ? duration
        : throw Invalid(name, $"'{text}' is not a duration like 30s, 30m, 24h, 30d, 2w or 1mo");

    /// <summary>
    /// Refuses LiteLLM fields this gateway does not implement when they carry a value: ignoring them would leave a
    /// caller believing a limit is in force. Empty values (<c>{}</c>, <c>[]</c>), which LiteLLM clients send by default, pass.
    /// </summary>
    public void RejectUnsupported(params string[] names)
    {
        foreach (var name in names)
        {
            if (Body[name] is { } node && !(node is JsonObject { Count: 0 } or JsonArray { Count: 0 }))
            {
                throw new ManagementRequestException($"{name} is not supported by this gateway.", name);
            }
        }
    }

    private double? Number(string name)
    {
        if (Body[name] is not { } node)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            throw Invalid(name, "must be a number");
        }

        var value = node.GetValue<double>();
        return double.IsFinite(value) ? value : throw Invalid(name, "must be a finite number");
    }

    private static ManagementRequestException Invalid(string name, string problem) => new($"{name} {problem}.", name);
}

/// <summary>A management request the gateway will not carry out, with the reason: answered 400.</summary>
public sealed class ManagementRequestException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}
