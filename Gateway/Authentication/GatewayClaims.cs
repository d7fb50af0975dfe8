namespace Gateway.Authentication;

/// <summary>
/// The claims every caller scheme (master key, virtual key, Entra ID token) puts on the principal, so routing,
/// governance and traces read one shape whatever the credential was.
/// </summary>
public static class GatewayClaims
{
    /// <summary><see cref="Roles.Admin"/> may call the management API; <see cref="Roles.Caller"/> may only invoke models.</summary>
    public const string Role = "gateway_role";

    /// <summary>Which scheme authenticated the caller: one of <see cref="Kinds"/>.</summary>
    public const string CallerKind = "gateway_caller_kind";

    /// <summary>The virtual key's id (its token hash), for a virtual-key caller.</summary>
    public const string KeyId = "gateway_key_id";

    public const string KeyAlias = "gateway_key_alias";

    /// <summary>The team the caller spends against: a virtual key's team, or the team an Entra ID mapping names.</summary>
    public const string TeamId = "gateway_team_id";

    /// <summary>The internal user the caller acts as (a key's user, or an Entra ID object id / mapping).</summary>
    public const string UserId = "gateway_user_id";

    /// <summary>For Entra ID callers: the name of the configured key policy (models, budgets, limits) their token maps to.</summary>
    public const string PolicyName = "gateway_policy";

    public static class Roles
    {
        public const string Admin = "admin";
        public const string Caller = "caller";
    }

    public static class Kinds
    {
        public const string Open = "open";
        public const string MasterKey = "master_key";
        public const string VirtualKey = "virtual_key";
        public const string EntraId = "entra_id";
    }
}
