namespace AwsInfrastructure;

/// <summary>
/// Names shared with the Kubernetes manifests (infra/k8s): the namespace and service accounts the IAM roles trust,
/// the secrets and parameters the ExternalSecrets read, the image repositories the services publish to.
/// Infra.Tests checks both sides agree.
/// </summary>
public static class PlatformNames
{
    public const string Namespace = "llm-platform";
    public const string ClusterName = "llm-platform";
    public const string VpcCidr = "10.0.0.0/16";
    public const string DatabaseName = "projectdb";

    /// <summary>Secrets Manager: generated credentials. Aurora's is JSON (host, port, username, password, …); the others are plain strings.</summary>
    public const string AuroraSecret = "llm-platform/aurora";
    public const string RedisAuthSecret = "llm-platform/redis-auth";
    public const string MasterKeySecret = "llm-platform/master-key";
    public const string LangfusePublicKeySecret = "llm-platform/langfuse-public-key";
    public const string LangfuseSecretKeySecret = "llm-platform/langfuse-secret-key";
    public const string ClickHouseAppPasswordSecret = "llm-platform/clickhouse-app-password";
    public const string ClickHouseAdminPasswordSecret = "llm-platform/clickhouse-admin-password";
    public const string ClickHouseInterserverPasswordSecret = "llm-platform/clickhouse-interserver-password";

    public static readonly string[] GeneratedSecrets =
    [
        RedisAuthSecret, MasterKeySecret, LangfusePublicKeySecret, LangfuseSecretKeySecret,
        ClickHouseAppPasswordSecret, ClickHouseAdminPasswordSecret, ClickHouseInterserverPasswordSecret,
    ];

    /// <summary>SSM Parameter Store: what the stack knows after creating the resources (String parameters).</summary>
    public const string ParameterPrefix = "/llm-platform/";
    public const string RedisEndpointParameter = "/llm-platform/redis/endpoint";
    public const string EventsBucketParameter = "/llm-platform/s3/events-bucket";
    public const string ClickHouseBucketParameter = "/llm-platform/s3/clickhouse-bucket";

    public static readonly string[] ImageRepositories = ["llm-platform/gateway", "llm-platform/traceingest", "llm-platform/traceui", "llm-platform/standalone"];
}
