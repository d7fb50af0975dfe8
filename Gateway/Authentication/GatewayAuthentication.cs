using Gateway.Authentication.Entra;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Authentication;

/// <summary>
/// How callers of the model API authenticate. <see cref="SchemeName"/> is a policy scheme that forwards by the
/// credential's shape (<see cref="SelectScheme"/>): gateway keys (<c>sk-…</c> as bearer, <c>api-key</c> or
/// <c>x-api-key</c>) to <see cref="KeyScheme"/> (virtual keys, which also know the master key), other bearer tokens to
/// Entra ID when an <c>AzureAd</c> section is configured, anything else to the master-key scheme (which answers for a
/// missing or malformed credential). Every scheme puts <see cref="GatewayClaims.Role"/> on callers that may invoke
/// models, so the one <see cref="CallerPolicy"/> covers all of them; <see cref="AdminPolicy"/> guards the management API.
/// </summary>
public static class GatewayAuthentication
{
    public const string SchemeName = "GatewayCaller";
    public const string CallerPolicy = "GatewayCaller";
    public const string AdminPolicy = "GatewayAdmin";

    /// <summary>The scheme that checks gateway keys: virtual keys and the master key.</summary>
    internal const string KeyScheme = VirtualKeyAuthenticationHandler.SchemeName;

    internal static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var entraId = EntraIdAuthentication.IsConfigured(configuration);
        var authentication = services.AddAuthentication()
            .AddPolicyScheme(SchemeName, "Gateway caller", options => options.ForwardDefaultSelector = context => SelectScheme(context.Request, entraId))
            .AddScheme<AuthenticationSchemeOptions, MasterKeyAuthenticationHandler>(MasterKeyAuthenticationHandler.SchemeName, configureOptions: null)
            .AddScheme<AuthenticationSchemeOptions, VirtualKeyAuthenticationHandler>(VirtualKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.RemoveUnusedKeyRingPreload();
        services.AddEntraIdCallerOptions(entraId);
        if (entraId)
        {
            authentication.AddEntraIdCallers(configuration);
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(CallerPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser()
                .RequireClaim(GatewayClaims.Role, GatewayClaims.Roles.Caller, GatewayClaims.Roles.Admin))
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireClaim(GatewayClaims.Role, GatewayClaims.Roles.Admin));
        return services;
    }

    /// <summary>Unknown <c>sk-</c> keys fail in the key scheme and never reach the token validator.</summary>
    internal static string SelectScheme(HttpRequest request, bool entraId) =>
        entraId && CallerCredential.HasEntraToken(request) ? EntraIdAuthenticationHandler.SchemeName
        : CallerCredential.Read(request) is { } credential && VirtualKeyHasher.HasKeyShape(credential) ? KeyScheme
        : MasterKeyAuthenticationHandler.SchemeName;
}
