using Gateway.Authentication.Entra;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Authentication;

/// <summary>
/// How callers of the model API authenticate. <see cref="SchemeName"/> is a policy scheme that forwards by the
/// credential's shape (<see cref="SelectScheme"/>): gateway keys (<c>sk-…</c> as bearer, <c>api-key</c> or
/// <c>x-api-key</c>) to <see cref="KeyScheme"/>, other bearer tokens to Entra ID when an <c>AzureAd</c> section is
/// configured. Every scheme puts <see cref="GatewayClaims.Role"/> on callers that may invoke models, so the one
/// <see cref="CallerPolicy"/> covers all of them.
/// </summary>
public static class GatewayAuthentication
{
    public const string SchemeName = "GatewayCaller";
    public const string CallerPolicy = "GatewayCaller";

    /// <summary>The scheme that checks gateway keys; the one place to name it (a virtual-key scheme that also knows the master key goes here).</summary>
    internal const string KeyScheme = MasterKeyAuthenticationHandler.SchemeName;

    internal static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var entraId = EntraIdAuthentication.IsConfigured(configuration);
        var authentication = services.AddAuthentication()
            .AddPolicyScheme(SchemeName, "Gateway caller", options => options.ForwardDefaultSelector = context => SelectScheme(context.Request, entraId))
            .AddScheme<AuthenticationSchemeOptions, MasterKeyAuthenticationHandler>(MasterKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddEntraIdCallerOptions(entraId);
        if (entraId)
        {
            authentication.AddEntraIdCallers(configuration);
        }

        services.AddSingleton<CallerModelAccess>();
        services.AddAuthorizationBuilder()
            .AddPolicy(CallerPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser()
                .RequireClaim(GatewayClaims.Role, GatewayClaims.Roles.Caller, GatewayClaims.Roles.Admin));
        return services;
    }

    /// <summary>Unknown <c>sk-</c> keys fail in the key scheme and never reach the token validator.</summary>
    internal static string SelectScheme(HttpRequest request, bool entraId) =>
        entraId && CallerCredential.HasEntraToken(request) ? EntraIdAuthenticationHandler.SchemeName : KeyScheme;
}
