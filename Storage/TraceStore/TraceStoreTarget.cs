using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Configuration;

namespace Storage.TraceStore;

/// <summary>
/// Which ClickHouse this process uses, decided from configuration alone (it must be known while services are
/// registered): a server's connection string, or the embedded engine's data directory.
/// </summary>
internal sealed record TraceStoreTarget(StorageBackend Backend, string Database, string? ServerConnectionString, string? ChdbDataPath)
{
    public const string ServerImplementation = "clickhouse";
    public const string EmbeddedImplementation = "chdb";

    public bool IsEmbedded => ChdbDataPath is not null;

    public static TraceStoreTarget FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(TraceStoreOptions.SectionName);
        var configuredDatabase = section[nameof(TraceStoreOptions.Database)];
        var database = string.IsNullOrWhiteSpace(configuredDatabase) ? TraceStoreOptions.DefaultDatabase : configuredDatabase;

        var connectionString = configuration.GetConnectionString(TraceStoreExtensions.ConnectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var parsed = new ClickHouseConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(parsed.Database))
            {
                parsed.Database = database;
            }

            return Server(parsed);
        }

        var endpoint = section[nameof(TraceStoreOptions.Endpoint)];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            // An invalid URL is reported by the options validator; the target only needs to be well-formed.
            var uri = Uri.TryCreate(endpoint, UriKind.Absolute, out var valid) ? valid : new Uri("http://invalid-endpoint");
            var builder = new ClickHouseConnectionStringBuilder
            {
                Protocol = uri.Scheme,
                Host = uri.Host,
                Port = (ushort)uri.Port,
                Database = database,
            };
            if (uri.AbsolutePath.Length > 1)
            {
                builder.Path = uri.AbsolutePath;
            }

            if (section[nameof(TraceStoreOptions.Username)] is { Length: > 0 } username)
            {
                builder.Username = username;
            }

            if (section[nameof(TraceStoreOptions.Password)] is { Length: > 0 } password)
            {
                builder.Password = password;
            }

            return Server(builder);
        }

        var dataPath = section[nameof(TraceStoreOptions.ChdbDataPath)] is { Length: > 0 } configuredPath
            ? Path.GetFullPath(configuredPath)
            : Path.Combine(StorageOptions.ResolveDataDirectory(configuration), "chdb");
        return new TraceStoreTarget(new StorageBackend(TraceStoreExtensions.Seam, EmbeddedImplementation, dataPath), database, null, dataPath);
    }

    private static TraceStoreTarget Server(ClickHouseConnectionStringBuilder builder)
    {
        // The location names the server and database only: connection strings carry passwords.
        var location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        return new TraceStoreTarget(new StorageBackend(TraceStoreExtensions.Seam, ServerImplementation, location), builder.Database, builder.ConnectionString, null);
    }
}
