using Microsoft.AspNetCore.Authentication;

namespace Gateway.Authentication;

/// <summary>
/// How callers of the model API authenticate. <see cref="SchemeName"/> is a policy scheme that forwards by the
/// credential's shape; today every credential goes to the master key. Virtual keys and Entra ID tokens join as
/// schemes beside it, and the one <see cref="CallerPolicy"/> covers all of them.
/// </summary>
public static class GatewayAuthentication
{
    public const string SchemeName = "GatewayCaller";
    public const string CallerPolicy = "GatewayCaller";

    internal static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddPolicyScheme(SchemeName, "Gateway caller", options => options.ForwardDefaultSelector = _ => MasterKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, MasterKeyAuthenticationHandler>(MasterKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(CallerPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser());
        return services;
    }
}
