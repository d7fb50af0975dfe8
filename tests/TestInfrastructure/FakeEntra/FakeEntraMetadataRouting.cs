using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;

namespace TestInfrastructure.FakeEntra;

public static class FakeEntraMetadataRouting
{
    /// <summary>
    /// Carries the two metadata fetchers of a Microsoft.Identity.Web API (the JWT bearer scheme's configuration
    /// manager and the issuer validator's named client) to <paramref name="tenant"/>, as DNS would carry them to Entra
    /// ID. Nothing else changes: issuers stay the real ones, metadata addresses stay HTTPS. Microsoft.Identity.Web
    /// keeps issuer validators per authority for the whole process, so each host needs a tenant of its own.
    /// </summary>
    public static IServiceCollection AddFakeEntraMetadata(this IServiceCollection services, FakeEntraTenant tenant, string jwtBearerScheme)
    {
        var clientName = $"fake-entra-{tenant.TenantId}";
        services.Configure<JwtBearerOptions>(jwtBearerScheme, options => options.BackchannelHttpHandler = tenant.CreateBackchannel());
        services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = clientName);
        services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(tenant.CreateBackchannel);
        return services;
    }
}
