namespace Gateway.Authentication.Entra;

/// <summary>
/// Which Entra ID callers may invoke models and how their tokens map to teams and key policies (section
/// <c>Gateway:Entra</c>). Token validation itself is Microsoft.Identity.Web's, configured by the <c>AzureAd</c> section.
/// </summary>
public sealed class EntraIdOptions
{
    public const string SectionName = "Gateway:Entra";
    public const string AzureAdSectionName = "AzureAd";

    public static IReadOnlyList<string> DefaultRequiredRoles { get; } = ["Gateway.Invoke"];
    public static IReadOnlyList<string> DefaultRequiredScopes { get; } = ["access_as_user"];
    public static IReadOnlyList<string> DefaultAdminRoles { get; } = ["Gateway.Admin"];

    /// <summary>True when an <c>AzureAd</c> section is configured: bearer tokens that are not <c>sk-</c> keys are then Entra ID tokens.</summary>
    public bool Enabled { get; internal set; }

    /// <summary>App roles (<c>roles</c>, client-credentials callers) that let a caller invoke models; any one is enough.</summary>
    public string[]? RequiredRoles { get; set; }

    /// <summary>Delegated scopes (<c>scp</c>, callers acting for a user) that let a caller invoke models; any one is enough.</summary>
    public string[]? RequiredScopes { get; set; }

    /// <summary>App roles that make the caller a gateway admin (management API, and models too).</summary>
    public string[]? AdminRoles { get; set; }

    /// <summary>Rules from token claims to a team and a key policy, tried in order; the first that matches applies.</summary>
    public List<EntraCallerMapping> Mappings { get; } = [];

    /// <summary>Team of callers no mapping matches.</summary>
    public string? DefaultTeamId { get; set; }

    /// <summary>Key policy of callers no mapping matches; none means no restriction from a policy.</summary>
    public string? DefaultPolicy { get; set; }

    /// <summary>Validated tokens kept (by SHA-256 hash, until they expire) so repeated calls skip validation.</summary>
    public int TokenCacheSize { get; set; } = 10_000;

    internal IReadOnlyList<string> EffectiveRequiredRoles => NonEmpty(RequiredRoles) ?? DefaultRequiredRoles;
    internal IReadOnlyList<string> EffectiveRequiredScopes => NonEmpty(RequiredScopes) ?? DefaultRequiredScopes;
    internal IReadOnlyList<string> EffectiveAdminRoles => NonEmpty(AdminRoles) ?? DefaultAdminRoles;

    private static string[]? NonEmpty(string[]? values) =>
        values?.Where(v => !string.IsNullOrWhiteSpace(v)).ToArray() is { Length: > 0 } given ? given : null;
}

/// <summary>
/// One rule of <see cref="EntraIdOptions.Mappings"/>: a token matches when it carries any of the app roles, any of the
/// groups (object ids in <c>groups</c>), or comes from any of the client applications (<c>azp</c>, v1 <c>appid</c>).
/// </summary>
public sealed class EntraCallerMapping
{
    public string[] Roles { get; set; } = [];
    public string[] Groups { get; set; } = [];
    public string[] ClientIds { get; set; } = [];
    public string? TeamId { get; set; }
    public string? Policy { get; set; }
}
