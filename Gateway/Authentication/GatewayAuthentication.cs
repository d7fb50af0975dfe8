using Microsoft.AspNetCore.Authentication;

namespace Gateway.Authentication;

/// <summary>
/// How callers of the model API authenticate. <see cref="SchemeName"/> is a policy scheme that forwards by the
/// credential's shape: <c>sk-…</c> to the virtual keys (which also know the master key), anything else to the
/// master-key scheme (which answers for a missing or malformed credential). Entra ID tokens join as a scheme beside
/// them, and the one <see cref="CallerPolicy"/> covers all of them; <see cref="AdminPolicy"/> guards the management API.
/// </summary>
public static class GatewayAuthentication
{
    public const string SchemeName = "GatewayCaller";
    public const string CallerPolicy = "GatewayCaller";
    public const string AdminPolicy = "GatewayAdmin";

    internal static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddPolicyScheme(SchemeName, "Gateway caller", options => options.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, MasterKeyAuthenticationHandler>(MasterKeyAuthenticationHandler.SchemeName, configureOptions: null)
            .AddScheme<AuthenticationSchemeOptions, VirtualKeyAuthenticationHandler>(VirtualKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(CallerPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireClaim(GatewayClaims.Role, GatewayClaims.Roles.Admin));
        return services;
    }

    private static string SelectScheme(HttpContext context) =>
        CallerCredential.Read(context.Request) is { } credential && Governance.Keys.VirtualKeyHasher.HasKeyShape(credential)
            ? VirtualKeyAuthenticationHandler.SchemeName
            : MasterKeyAuthenticationHandler.SchemeName;
}
