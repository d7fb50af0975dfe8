var builder = DistributedApplication.CreateBuilder(args);

// Only takes effect under `aspire publish`/`aspire deploy`. Its default storage type is emptyDir,
// which would lose the Postgres, Redis, ClickHouse and MinIO data whenever a pod is rescheduled.
builder.AddKubernetesEnvironment("k8s")
    .WithProperties(k8s =>
    {
        k8s.DefaultStorageType = "pvc";
        // A plain string fixed when the chart is generated, so it is read from configuration
        // (set like the parameters below) instead of being a parameter resource.
        k8s.DefaultStorageClassName = builder.Configuration["Parameters:k8s-storage-class"] ?? "gp3";
        k8s.DefaultStorageSize = "10Gi";
    });

var postgresPassword = builder.AddParameter("postgres-password", secret: true);
var clickhousePassword = builder.AddParameter("clickhouse-password", secret: true);
var minioUser = builder.AddParameter("minio-user", secret: true);
var minioPassword = builder.AddParameter("minio-password", secret: true);
var litellmMasterKey = builder.AddParameter("litellm-master-key", secret: true);
var langfusePublicKey = builder.AddParameter("langfuse-public-key");
var langfuseSecretKey = builder.AddParameter("langfuse-secret-key", secret: true);

var projectDb = builder.AddPostgres("postgres", password: postgresPassword)
    .WithDataVolume()
    .AddDatabase("projectdb");

// The services connect with plain StackExchange.Redis, which does not trust the Aspire
// development certificate, so Redis must not switch to TLS when that certificate is trusted.
#pragma warning disable ASPIRECERTIFICATES001
var redis = builder.AddRedis("redis")
    .WithDataVolume()
    .WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001

// There is no Aspire hosting integration for ClickHouse; the official image creates
// the user and the database from these variables on first start.
const string ClickHouseUser = "app";
const string ClickHouseDatabase = "traces";
var clickhouse = builder.AddContainer("clickhouse", "clickhouse/clickhouse-server", "25.8")
    .WithHttpEndpoint(targetPort: 8123, name: "http")
    .WithEnvironment("CLICKHOUSE_USER", ClickHouseUser)
    .WithEnvironment("CLICKHOUSE_PASSWORD", clickhousePassword)
    .WithEnvironment("CLICKHOUSE_DB", ClickHouseDatabase)
    .WithEnvironment("CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1")
    .WithVolume("clickhouse-data", "/var/lib/clickhouse")
    .WithHttpHealthCheck("/ping");
var clickhouseHttp = clickhouse.GetEndpoint("http");

// The community MinIO integration is deprecated, so MinIO is a plain container too.
var minio = builder.AddContainer("minio", "minio/minio", "RELEASE.2025-09-07T16-13-09Z")
    .WithArgs("server", "/data", "--console-address", ":9001")
    .WithHttpEndpoint(targetPort: 9000, name: "http")
    .WithHttpEndpoint(targetPort: 9001, name: "console")
    .WithEnvironment("MINIO_ROOT_USER", minioUser)
    .WithEnvironment("MINIO_ROOT_PASSWORD", minioPassword)
    .WithVolume("minio-data", "/data")
    .WithHttpHealthCheck("/minio/health/live");

var traceIngest = builder.AddProject<Projects.TraceIngest>("traceingest")
    .WithReference(projectDb).WaitFor(projectDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("ClickHouse__Endpoint", clickhouseHttp)
    .WithEnvironment("ClickHouse__Username", ClickHouseUser)
    .WithEnvironment("ClickHouse__Password", clickhousePassword)
    .WithEnvironment("ClickHouse__Database", ClickHouseDatabase)
    .WaitFor(clickhouse)
    .WithEnvironment("S3__ServiceUrl", minio.GetEndpoint("http"))
    .WithEnvironment("S3__AccessKey", minioUser)
    .WithEnvironment("S3__SecretKey", minioPassword)
    .WithEnvironment("S3__Bucket", "trace-events")
    .WithEnvironment("S3__ForcePathStyle", "true")
    .WaitFor(minio)
    // Seeds the project whose key pair the gateway sends its traces with.
    .WithEnvironment("LANGFUSE_INIT_ORG_ID", "default")
    .WithEnvironment("LANGFUSE_INIT_PROJECT_ID", "default")
    .WithEnvironment("LANGFUSE_INIT_PROJECT_PUBLIC_KEY", langfusePublicKey)
    .WithEnvironment("LANGFUSE_INIT_PROJECT_SECRET_KEY", langfuseSecretKey)
    .WithHttpHealthCheck("/health")
    .WithReplicas(2);

builder.AddProject<Projects.TraceUi>("traceui")
    .WithReference(projectDb)
    .WithReference(redis)
    .WithEnvironment("ClickHouse__Endpoint", clickhouseHttp)
    .WithEnvironment("ClickHouse__Username", ClickHouseUser)
    .WithEnvironment("ClickHouse__Password", clickhousePassword)
    .WithEnvironment("ClickHouse__Database", ClickHouseDatabase)
    .WithEnvironment("LITELLM_MASTER_KEY", litellmMasterKey)
    // TraceUi applies the migrations as well, but it should start once the seeded project exists.
    .WaitFor(traceIngest)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Gateway>("gateway")
    .WithReference(projectDb)
    .WithReference(redis)
    .WithReference(traceIngest)
    .WithEnvironment("LANGFUSE_HOST", traceIngest.GetEndpoint("http"))
    .WithEnvironment("LANGFUSE_PUBLIC_KEY", langfusePublicKey)
    .WithEnvironment("LANGFUSE_SECRET_KEY", langfuseSecretKey)
    .WithEnvironment("LITELLM_MASTER_KEY", litellmMasterKey)
    .WaitFor(traceIngest)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReplicas(2);

builder.Build().Run();
