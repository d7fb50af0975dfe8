using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Storage.Provisioning;

namespace Storage.Relational;

public static class RelationalStoreExtensions
{
    /// <summary>Aspire connection name of the PostgreSQL database (<c>ConnectionStrings:projectdb</c>).</summary>
    public const string ConnectionName = "projectdb";

    public const string Seam = "relational";

    /// <summary>
    /// Registers <see cref="PlatformDbContext"/> on PostgreSQL when <c>ConnectionStrings:projectdb</c> is set,
    /// otherwise on SQLite in the data directory; migrations and headless provisioning run before the host serves.
    /// </summary>
    public static IHostApplicationBuilder AddRelationalStore(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        var backend = string.IsNullOrWhiteSpace(connectionString)
            ? SqliteBackend(builder.Configuration)
            : PostgresBackend(connectionString);

        if (!builder.Services.TryRegisterSeam<RelationalStoreRegistration>(backend))
        {
            return builder;
        }

        if (backend.Implementation == PostgresImplementation)
        {
            builder.Services.AddDbContext<PlatformDbContext, PostgresPlatformDbContext>(options =>
                options.UseNpgsql(connectionString));
        }
        else
        {
            builder.Services.AddDbContext<PlatformDbContext, SqlitePlatformDbContext>(options =>
                options.UseSqlite($"Data Source={backend.Location}"));
        }

        builder.Services.AddOptions<HeadlessProvisioningOptions>()
            .Bind(builder.Configuration)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<HeadlessProvisioningOptions>, HeadlessProvisioningOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<HeadlessProvisioning>();
        builder.Services.AddHostedService<RelationalStoreInitializer>();
        builder.Services.AddHealthChecks().AddCheck<RelationalStoreHealthCheck>(Seam, tags: ["ready"]);
        return builder;
    }

    internal const string SqliteImplementation = "sqlite";
    internal const string PostgresImplementation = "postgresql";

    private static StorageBackend SqliteBackend(IConfiguration configuration) =>
        new(Seam, SqliteImplementation, Path.Combine(StorageOptions.ResolveDataDirectory(configuration), "platform.db"));

    private static StorageBackend PostgresBackend(string connectionString)
    {
        // The location names the server and database only: connection strings carry passwords.
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return new StorageBackend(Seam, PostgresImplementation, $"{parsed.Host}:{parsed.Port}/{parsed.Database}");
    }

    private sealed class RelationalStoreRegistration;
}
