using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Storage.Governance;

public static class GatewayAdministrationExtensions
{
    /// <summary>
    /// The operations on keys, teams and users that the gateway's management API and TraceUi share. Needs the
    /// relational store, the invalidation channel and an <see cref="IGatewayModels"/>.
    /// </summary>
    public static IServiceCollection AddGatewayAdministration(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GovernanceAnnouncer>();
        services.TryAddScoped<KeyAdministration>();
        services.TryAddScoped<TeamAdministration>();
        services.TryAddScoped<UserAdministration>();
        return services;
    }
}
