namespace Storage.Governance.Keys;

/// <summary>LiteLLM's model allow-lists: model group names, <c>*</c> or <c>all-proxy-models</c> for every model, <c>prefix*</c> patterns.</summary>
public static class ModelAccess
{
    public const string AllProxyModels = "all-proxy-models";

    /// <summary>In a key's list: whatever the key's team allows.</summary>
    public const string AllTeamModels = "all-team-models";

    /// <summary>True when the list restricts nothing (empty, or only defers to the team).</summary>
    public static bool IsOpen(IReadOnlyList<string> allowed) => allowed.Count == 0 || allowed.All(a => a == AllTeamModels);

    public static bool Allows(IReadOnlyList<string> allowed, string model)
    {
        if (IsOpen(allowed))
        {
            return true;
        }

        foreach (var entry in allowed)
        {
            if (entry == model || entry == "*" || entry == AllProxyModels
                || (entry.Length > 1 && entry[^1] == '*' && model.StartsWith(entry.AsSpan(0, entry.Length - 1), StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
