using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a seam once per process even when several services composed in one host (Standalone)
    /// each ask for it. Returns false when it was already registered.
    /// </summary>
    public static bool TryRegisterSeam<TMarker>(this IServiceCollection services, StorageBackend backend)
        where TMarker : class
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(TMarker)))
        {
            return false;
        }

        services.AddSingleton<TMarker>();
        services.AddSingleton(backend);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageBackendLog>());
        return true;
    }

    /// <summary>A readiness check named after the seam, probing its backend with a service from the container.</summary>
    public static void AddBackendHealthCheck<TService>(this IServiceCollection services, StorageBackend backend, Func<TService, CancellationToken, Task<bool>> probe)
        where TService : notnull
    {
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            backend.Seam,
            provider => new BackendHealthCheck(backend, cancellationToken => probe(provider.GetRequiredService<TService>(), cancellationToken)),
            failureStatus: null,
            tags: ["ready"]));
    }
}
