namespace Storage.Governance;

/// <summary>The names of cache entries, as announced on the invalidation channel.</summary>
public static class CacheEntries
{
    public static string Key(string token) => "key:" + token;

    public static string Team(string teamId) => "team:" + teamId;

    public static string User(string userId) => "user:" + userId;

    public static string EndUser(string userId) => "end_user:" + userId;

    public const string GlobalBudget = "budget:global";
}
