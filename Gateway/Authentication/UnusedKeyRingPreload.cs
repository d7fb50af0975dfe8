namespace Gateway.Authentication;

/// <summary>
/// <c>AddAuthentication</c> registers ASP.NET Core data protection, whose hosted service loads (or, on a fresh
/// machine, creates and writes) the XML key ring at start. The gateway's callers send bearer credentials and it
/// protects nothing, so that start-up work only costs memory: the XML stack and the key ring stay resident for the
/// process's life (docs/benchmarks.md#gateway-rss-breakdown-session-8). A service that protects data in the same host
/// (TraceUi's cookies in Standalone) registers data protection again after the gateway and so keeps its preload.
/// </summary>
internal static class UnusedKeyRingPreload
{
    private const string PreloadServiceName = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    public static IServiceCollection RemoveUnusedKeyRingPreload(this IServiceCollection services)
    {
        var preloads = services.Where(IsPreload).ToList();
        foreach (var preload in preloads)
        {
            services.Remove(preload);
        }

        return services;
    }

    internal static bool IsPreload(ServiceDescriptor service) =>
        service.ServiceType == typeof(IHostedService) && service.ImplementationType?.FullName == PreloadServiceName;
}
