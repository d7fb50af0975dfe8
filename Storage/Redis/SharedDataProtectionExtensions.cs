using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Storage.Redis;

public static class SharedDataProtectionExtensions
{
    /// <summary>Where the key ring lives in Redis.</summary>
    public const string KeyRingKey = "llm-platform:data-protection-keys";

    /// <summary>
    /// With Redis configured, keeps ASP.NET Core's data-protection key ring there, so every replica reads the
    /// sign-in cookies and antiforgery tokens the others issued, and a restarted pod (read-only filesystem, no
    /// home directory to keep keys in) still reads them. Without Redis the framework's default applies.
    /// </summary>
    public static IHostApplicationBuilder AddSharedDataProtection(this IHostApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("llm-platform");
        if (builder.TryAddRedis() is { } redis)
        {
            // The key ring is read at the first protect or unprotect, after start-up; the connection is made then.
            dataProtection.PersistKeysToStackExchangeRedis(() => redis.DatabaseAsync().GetAwaiter().GetResult(), KeyRingKey);
        }

        return builder;
    }
}
