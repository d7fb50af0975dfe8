using System.Globalization;

namespace Gateway.Governance.Spend;

/// <summary>
/// One row of the daily spend rollup: day, key token, team, internal user, end user and model group (empty where a
/// call had none). In the delta buffer each metric of a row is one field: <c>metric</c>, then the six parts,
/// separated by U+001F (a character no id legitimately holds).
/// </summary>
internal readonly record struct SpendDimensions(DateOnly Date, string ApiKey, string TeamId, string UserId, string EndUser, string Model)
{
    public const string SpendNanos = "spend";
    public const string PromptTokens = "prompt";
    public const string CompletionTokens = "completion";
    public const string Requests = "requests";
    public const string FailedRequests = "failed";

    /// <summary>The longest id kept; longer end-user ids are cut (they are the caller's own labels).</summary>
    public const int MaxPartLength = 256;

    private const char Separator = '\u001f';

    public static SpendDimensions Of(DateOnly date, string? apiKey, string? teamId, string? userId, string? endUser, string model) =>
        new(date, Clean(apiKey), Clean(teamId), Clean(userId), Clean(endUser), Clean(model));

    public string Field(string metric) => string.Join(Separator, metric, Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ApiKey, TeamId, UserId, EndUser, Model);

    public static bool TryParse(string field, out string metric, out SpendDimensions dimensions)
    {
        var parts = field.Split(Separator);
        if (parts.Length != 7 || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            metric = string.Empty;
            dimensions = default;
            return false;
        }

        metric = parts[0];
        dimensions = new SpendDimensions(date, parts[2], parts[3], parts[4], parts[5], parts[6]);
        return true;
    }

    private static string Clean(string? part)
    {
        if (string.IsNullOrEmpty(part))
        {
            return string.Empty;
        }

        var cleaned = part.Replace(Separator, '?');
        return cleaned.Length > MaxPartLength ? cleaned[..MaxPartLength] : cleaned;
    }
}
