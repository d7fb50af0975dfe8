using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication.Entra;

/// <summary>
/// Turns a validated Entra ID token into the gateway's caller claims (<see cref="GatewayClaims"/>): whether it may
/// invoke models or administer (required app roles or scopes), who it is (<c>oid</c>, else <c>sub</c>), and the team
/// and key policy of the first mapping its roles, groups or client application match — what API Management does
/// with <c>validate-jwt</c> and key rewriting.
/// </summary>
internal sealed class EntraCallerClaims(IOptions<EntraIdOptions> options)
{
    // Tokens are read with their JWT claim names (MapInboundClaims off); the long names cover a handler that maps them.
    private static readonly string[] RoleTypes = ["roles", ClaimTypes.Role];
    private static readonly string[] ScopeTypes = ["scp", "http://schemas.microsoft.com/identity/claims/scope"];
    private static readonly string[] UserTypes = ["oid", "http://schemas.microsoft.com/identity/claims/objectidentifier", "sub", ClaimTypes.NameIdentifier];
    private static readonly string[] ClientTypes = ["azp", "appid"];

    public ClaimsPrincipal Map(ClaimsPrincipal token)
    {
        var settings = options.Value;
        var roles = Values(token, RoleTypes).ToHashSet(StringComparer.Ordinal);
        var scopes = Values(token, ScopeTypes).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);

        var identity = new ClaimsIdentity(EntraIdAuthenticationHandler.SchemeName, GatewayClaims.UserId, GatewayClaims.Role);
        if (settings.EffectiveAdminRoles.Any(roles.Contains))
        {
            identity.AddClaim(new Claim(GatewayClaims.Role, GatewayClaims.Roles.Admin));
        }
        else if (settings.EffectiveRequiredRoles.Any(roles.Contains) || settings.EffectiveRequiredScopes.Any(scopes.Contains))
        {
            identity.AddClaim(new Claim(GatewayClaims.Role, GatewayClaims.Roles.Caller));
        }

        identity.AddClaim(new Claim(GatewayClaims.CallerKind, GatewayClaims.Kinds.EntraId));
        if (Values(token, UserTypes).FirstOrDefault() is { } user)
        {
            identity.AddClaim(new Claim(GatewayClaims.UserId, user));
        }

        var mapping = Match(settings.Mappings, token, roles);
        if ((mapping?.TeamId ?? settings.DefaultTeamId) is { } team)
        {
            identity.AddClaim(new Claim(GatewayClaims.TeamId, team));
        }

        if ((mapping is null ? settings.DefaultPolicy : mapping.Policy) is { } policy)
        {
            identity.AddClaim(new Claim(GatewayClaims.PolicyName, policy));
        }

        // The token's own claims stay available (tid, name, …) behind the gateway's.
        return new ClaimsPrincipal([identity, .. token.Identities]);
    }

    private static EntraCallerMapping? Match(List<EntraCallerMapping> mappings, ClaimsPrincipal token, HashSet<string> roles)
    {
        if (mappings.Count == 0)
        {
            return null;
        }

        var groups = Values(token, ["groups"]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var client = Values(token, ClientTypes).FirstOrDefault();
        return mappings.FirstOrDefault(m =>
            m.Roles.Any(roles.Contains)
            || m.Groups.Any(groups.Contains)
            || (client is not null && m.ClientIds.Contains(client, StringComparer.OrdinalIgnoreCase)));
    }

    private static IEnumerable<string> Values(ClaimsPrincipal principal, string[] types) =>
        types.SelectMany(type => principal.FindAll(type)).Select(claim => claim.Value);
}
