using Microsoft.Extensions.DependencyInjection;
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
}
