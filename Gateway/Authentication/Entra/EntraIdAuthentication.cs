using Gateway.Governance.Policies;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace Gateway.Authentication.Entra;

/// <summary>Entra ID callers: Microsoft.Identity.Web validates the tokens (section <c>AzureAd</c>), the gateway caches and maps them.</summary>
internal static class EntraIdAuthentication
{
    public static bool IsConfigured(IConfiguration configuration) => configuration.GetSection(EntraIdOptions.AzureAdSectionName).Exists();

    public static IServiceCollection AddEntraIdCallerOptions(this IServiceCollection services, bool enabled)
    {
        services.AddOptions<EntraIdOptions>().BindConfiguration(EntraIdOptions.SectionName).Configure(o => o.Enabled = enabled).ValidateOnStart();
        services.AddOptions<EntraCallerPolicies>().BindConfiguration(EntraIdOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntraIdOptions>, EntraIdOptionsValidation>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntraCallerPolicies>, EntraCallerPoliciesValidation>());
        // Governance holds callers mapped to a policy to its models, budget and limits: the policies fill its registry.
        services.Replace(ServiceDescriptor.Singleton(provider => KeyPolicyRegistry.Of(provider.GetRequiredService<IOptions<EntraCallerPolicies>>().Value.ToKeyPolicies())));
        return services;
    }

    public static AuthenticationBuilder AddEntraIdCallers(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.AddMicrosoftIdentityWebApi(configuration.GetSection(EntraIdOptions.AzureAdSectionName), EntraIdAuthenticationHandler.JwtSchemeName);
        // Claims keep their JWT names (roles, scp, oid, azp, groups), the names Entra ID documents.
        authentication.Services.Configure<JwtBearerOptions>(EntraIdAuthenticationHandler.JwtSchemeName, options => options.MapInboundClaims = false);
        authentication.AddScheme<AuthenticationSchemeOptions, EntraIdAuthenticationHandler>(EntraIdAuthenticationHandler.SchemeName, configureOptions: null);
        authentication.Services.AddSingleton<EntraTokenCache>();
        authentication.Services.AddSingleton<EntraCallerClaims>();
        return authentication;
    }
}
