using System.Reflection;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Storage;
using Storage.Blobs;
using Storage.Provisioning;
using Storage.Queue;
using Storage.Relational;
using Storage.TraceStore;
using TraceIngest.Extensions;
using TraceIngest.Ingestion;
using TraceIngest.Worker;
using TraceUi.RemoteGateway;

namespace Infra.Tests.Kubernetes;

/// <summary>
/// The configuration keys the services read, taken from their option types and constants, so a key renamed in
/// the code fails these tests until the manifests follow.
/// </summary>
public static class ServiceConfigurationKeys
{
    public static readonly string ProjectDb = $"ConnectionStrings:{RelationalStoreExtensions.ConnectionName}";
    public static readonly string Redis = $"ConnectionStrings:{RedisConnectionName()}";
    public static readonly string ClickHouseConnection = $"ConnectionStrings:{TraceStoreExtensions.ConnectionName}";
    public static readonly string DataDirectory = Key<StorageOptions>(StorageOptions.SectionName, nameof(StorageOptions.DataDirectory));
    public static readonly string ConfigFile = GatewayConfigFile.EnvironmentKey;
    public static readonly string MasterKey = KeyName<MasterKeyOptions>(nameof(MasterKeyOptions.MasterKey));
    public static readonly string LangfuseHost = KeyName<LangfuseExportOptions>(nameof(LangfuseExportOptions.Host));
    public static readonly string LangfusePublicKey = KeyName<LangfuseExportOptions>(nameof(LangfuseExportOptions.PublicKey));
    public static readonly string LangfuseSecretKey = KeyName<LangfuseExportOptions>(nameof(LangfuseExportOptions.SecretKey));
    public static readonly string TraceSpool = KeyName<LangfuseExportOptions>(nameof(LangfuseExportOptions.SpoolDirectory));
    public static readonly string ClickHouseEndpoint = Key<TraceStoreOptions>(TraceStoreOptions.SectionName, nameof(TraceStoreOptions.Endpoint));
    public static readonly string ClickHouseUsername = Key<TraceStoreOptions>(TraceStoreOptions.SectionName, nameof(TraceStoreOptions.Username));
    public static readonly string ClickHousePassword = Key<TraceStoreOptions>(TraceStoreOptions.SectionName, nameof(TraceStoreOptions.Password));
    public static readonly string ClickHouseDatabase = Key<TraceStoreOptions>(TraceStoreOptions.SectionName, nameof(TraceStoreOptions.Database));
    public static readonly string ClickHouseCluster = Key<TraceStoreOptions>(TraceStoreOptions.SectionName, nameof(TraceStoreOptions.Cluster));
    public static readonly string S3Bucket = Key<S3Options>(S3Options.SectionName, nameof(S3Options.Bucket));
    public static readonly string S3Region = Key<S3Options>(S3Options.SectionName, nameof(S3Options.Region));
    public static readonly string S3CreateBucket = Key<S3Options>(S3Options.SectionName, nameof(S3Options.CreateBucket));
    public static readonly string TraceUiGatewayUrl = Key<RemoteGatewayOptions>(RemoteGatewayOptions.SectionName, nameof(RemoteGatewayOptions.Url));
    public static readonly string TraceIngestRoles = Key<TraceIngestOptions>(TraceIngestOptions.SectionName, nameof(TraceIngestOptions.Roles));

    /// <summary>Kestrel's port in the .NET container images (and in ours: see each service's csproj).</summary>
    public const string HttpPorts = "ASPNETCORE_HTTP_PORTS";

    /// <summary>Read by the hosting layer, the OpenTelemetry SDK and the AWS SDK rather than by our option types.</summary>
    public static readonly IReadOnlySet<string> PlatformKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        HttpPorts, "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "AWS_REGION",
    };

    /// <summary>
    /// Microsoft.Identity.Web's section for Entra ID (tokens at the gateway, sign-in at TraceUi), which the services
    /// are gaining now: the manifests provide these keys optionally, so pods start with or without them.
    /// </summary>
    public static readonly IReadOnlySet<string> EntraIdKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "AzureAd:Instance", "AzureAd:TenantId", "AzureAd:ClientId", "AzureAd:Audience", "AzureAd:ClientSecret", "AzureAd:CallbackPath",
    };

    /// <summary>What each Deployment cannot run correctly without (a missing connection string silently selects an embedded store).</summary>
    public static IReadOnlyList<string> RequiredBy(string deployment) => deployment switch
    {
        "gateway" => [HttpPorts, ProjectDb, Redis, ConfigFile, MasterKey, LangfuseHost, LangfusePublicKey, LangfuseSecretKey, TraceSpool, DataDirectory],
        "traceingest" or "traceingest-worker" =>
            [HttpPorts, ProjectDb, Redis, ClickHouseEndpoint, ClickHouseUsername, ClickHousePassword, ClickHouseDatabase, ClickHouseCluster,
             S3Bucket, S3Region, S3CreateBucket, TraceIngestRoles, DataDirectory],
        "traceui" => [HttpPorts, ProjectDb, Redis, ClickHouseEndpoint, ClickHouseUsername, ClickHousePassword, ClickHouseDatabase, ClickHouseCluster, DataDirectory,
            TraceUiGatewayUrl, MasterKey],
        _ => throw new ArgumentException($"No known service runs in Deployment {deployment}.", nameof(deployment)),
    };

    /// <summary>Every key the services read through configuration, as the code spells it.</summary>
    public static IReadOnlySet<string> ReadByCode { get; } = CollectReadByCode();

    public static bool IsRead(string key) =>
        ReadByCode.Contains(key)
        || PlatformKeys.Contains(key)
        || EntraIdKeys.Contains(key)
        || ReadByCode.Any(known => key.StartsWith(known + ":", StringComparison.OrdinalIgnoreCase));

    private static HashSet<string> CollectReadByCode()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ProjectDb, Redis, ClickHouseConnection, ConfigFile };
        (Type Type, string? Section)[] optionTypes =
        [
            (typeof(StorageOptions), StorageOptions.SectionName),
            (typeof(S3Options), S3Options.SectionName),
            (typeof(QueueOptions), QueueOptions.SectionName),
            (typeof(TraceStoreOptions), TraceStoreOptions.SectionName),
            (typeof(TraceIngestOptions), TraceIngestOptions.SectionName),
            (typeof(IngestionOptions), IngestionOptions.SectionName),
            (typeof(IngestionWorkerOptions), IngestionWorkerOptions.SectionName),
            (typeof(MaskingOptions), MaskingOptions.SectionName),
            (typeof(GatewayLimits), GatewayLimits.SectionName),
            (typeof(LangfuseExportOptions), null),
            (typeof(MasterKeyOptions), null),
            (typeof(HeadlessProvisioningOptions), null),
            (typeof(RemoteGatewayOptions), RemoteGatewayOptions.SectionName),
        ];
        foreach (var (type, section) in optionTypes)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                keys.Add(property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name
                    ?? (section is null ? property.Name : $"{section}:{property.Name}"));
            }
        }

        return keys;
    }

    private static string Key<T>(string section, string property) =>
        typeof(T).GetProperty(property) is not null ? $"{section}:{property}" : throw new InvalidOperationException($"{typeof(T).Name} has no {property}.");

    private static string KeyName<T>(string property) =>
        typeof(T).GetProperty(property)?.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name
        ?? throw new InvalidOperationException($"{typeof(T).Name}.{property} has no configuration key name.");

    // Storage keeps its Redis registration internal; the name is the code's, not a copy.
    private static string RedisConnectionName() =>
        (string)typeof(S3Options).Assembly.GetType("Storage.Redis.RedisRegistration", throwOnError: true)!
            .GetField("ConnectionName", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
}
