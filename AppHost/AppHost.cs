var builder = DistributedApplication.CreateBuilder(args);

// Names shared with infra/k8s (namespace, resource names, configuration keys): Infra.Tests checks they agree.
const string Namespace = "llm-platform";

// Only takes effect under `aspire publish`/`aspire deploy`. Its default storage type is emptyDir,
// which would lose the Postgres, Redis, ClickHouse and MinIO data whenever a pod is rescheduled.
var k8s = builder.AddKubernetesEnvironment("k8s")
    .WithProperties(environment =>
    {
        environment.DefaultStorageType = "pvc";
        // Plain strings fixed when the chart is generated, so they are read from configuration
        // (set like the parameters below) instead of being parameter resources.
        environment.DefaultStorageClassName = builder.Configuration["Parameters:k8s-storage-class"] ?? "gp3";
        environment.DefaultStorageSize = builder.Configuration["Parameters:k8s-storage-size"] ?? "20Gi";
    })
    .WithHelm(helm => helm
        .WithChartName(Namespace)
        .WithReleaseName(Namespace)
        .WithNamespace(Namespace));

var postgresPassword = builder.AddParameter("postgres-password", secret: true);
var clickhousePassword = builder.AddParameter("clickhouse-password", secret: true);
var minioUser = builder.AddParameter("minio-user", secret: true);
var minioPassword = builder.AddParameter("minio-password", secret: true);
var litellmMasterKey = builder.AddParameter("litellm-master-key", secret: true);
var langfusePublicKey = builder.AddParameter("langfuse-public-key");
var langfuseSecretKey = builder.AddParameter("langfuse-secret-key", secret: true);
var adminEmail = builder.AddParameter("admin-email");
var adminPassword = builder.AddParameter("admin-password", secret: true);
// Provider keys are optional, as in a LiteLLM deployment: left empty, the models that need them are reported
// as not callable and the others serve.
var azureApiKey = builder.AddParameter("azure-api-key", value: "", secret: true);
var azureApiBase = builder.AddParameter("azure-api-base", value: "");
var openAiApiKey = builder.AddParameter("openai-api-key", value: "", secret: true);
var anthropicApiKey = builder.AddParameter("anthropic-api-key", value: "", secret: true);

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

// TraceIngest runs twice, as in Kubernetes: the API and the worker (TraceIngest:Roles) scale apart.
var traceIngest = WithTraceIngestStores(builder.AddProject<Projects.TraceIngest>("traceingest"))
    .WithEnvironment("TraceIngest__Roles", "api")
    // Seeds the project whose key pair the gateway sends its traces with.
    .WithEnvironment("LANGFUSE_INIT_ORG_ID", "default")
    .WithEnvironment("LANGFUSE_INIT_PROJECT_ID", "default")
    .WithEnvironment("LANGFUSE_INIT_PROJECT_PUBLIC_KEY", langfusePublicKey)
    .WithEnvironment("LANGFUSE_INIT_PROJECT_SECRET_KEY", langfuseSecretKey)
    .WithHttpHealthCheck("/health")
    .WithReplicas(2);

WithTraceIngestStores(builder.AddProject<Projects.TraceIngest>("traceingest-worker"))
    .WithEnvironment("TraceIngest__Roles", "worker")
    .WaitFor(traceIngest)
    .WithHttpHealthCheck("/health")
    .WithReplicas(2);

var traceUi = builder.AddProject<Projects.TraceUi>("traceui")
    .WithReference(projectDb)
    .WithReference(redis)
    .WithEnvironment("ClickHouse__Endpoint", clickhouseHttp)
    .WithEnvironment("ClickHouse__Username", ClickHouseUser)
    .WithEnvironment("ClickHouse__Password", clickhousePassword)
    .WithEnvironment("ClickHouse__Database", ClickHouseDatabase)
    // The first administrator, created at start if absent.
    .WithEnvironment("LANGFUSE_INIT_ORG_ID", "default")
    .WithEnvironment("LANGFUSE_INIT_USER_EMAIL", adminEmail)
    .WithEnvironment("LANGFUSE_INIT_USER_PASSWORD", adminPassword)
    // TraceUi applies the migrations as well, but it should start once the seeded project exists.
    .WaitFor(traceIngest)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .WithReference(projectDb)
    .WithReference(redis)
    .WithReference(traceIngest)
    .WithEnvironment("LANGFUSE_HOST", traceIngest.GetEndpoint("http"))
    .WithEnvironment("LANGFUSE_PUBLIC_KEY", langfusePublicKey)
    .WithEnvironment("LANGFUSE_SECRET_KEY", langfuseSecretKey)
    .WithEnvironment("LITELLM_MASTER_KEY", litellmMasterKey)
    .WithEnvironment("AZURE_API_KEY", azureApiKey)
    .WithEnvironment("AZURE_API_BASE", azureApiBase)
    .WithEnvironment("OPENAI_API_KEY", openAiApiKey)
    .WithEnvironment("ANTHROPIC_API_KEY", anthropicApiKey)
    .WaitFor(traceIngest)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReplicas(2);

// TraceUi reads the gateway's live model catalog and deployment health over its admin status route.
traceUi.WithEnvironment("TraceUi__Gateway__Url", gateway.GetEndpoint("http"))
    .WithEnvironment("LITELLM_MASTER_KEY", litellmMasterKey);

if (builder.ExecutionContext.IsRunMode)
{
    // The model list Kubernetes mounts from a ConfigMap; a published chart has no such file, so there the gateway
    // starts without models unless CONFIG_FILE_PATH is added to its values.
    gateway.WithEnvironment("CONFIG_FILE_PATH", Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "infra", "k8s", "base", "gateway", "config.yaml")));
}

// Entra ID only when its tenant is configured (Parameters:azuread-tenant-id and -client-id), so that an empty
// AzureAd section never reaches the services.
if (!string.IsNullOrEmpty(builder.Configuration["Parameters:azuread-tenant-id"]))
{
    var tenantId = builder.AddParameter("azuread-tenant-id");
    var clientId = builder.AddParameter("azuread-client-id");
    var traceUiClientSecret = builder.AddParameter("azuread-traceui-client-secret", secret: true);
    foreach (var service in new[] { gateway, traceUi })
    {
        service.WithEnvironment("AzureAd__Instance", "https://login.microsoftonline.com/")
            .WithEnvironment("AzureAd__TenantId", tenantId)
            .WithEnvironment("AzureAd__ClientId", clientId);
    }

    traceUi.WithEnvironment("AzureAd__ClientSecret", traceUiClientSecret)
        .WithEnvironment("AzureAd__CallbackPath", "/signin-oidc");
}

if (builder.ExecutionContext.IsPublishMode)
{
    // An AWS Load Balancer Controller Ingress, as in infra/k8s/overlays/eks: both hosts on one ALB (group.name),
    // TLS with an ACM certificate. Only in publish mode, so `aspire run` does not ask for these parameters.
    var gatewayHost = builder.AddParameter("gateway-host");
    var uiHost = builder.AddParameter("ui-host");
    var certificateArn = builder.AddParameter("certificate-arn");
    AddAlbIngress("gateway-ingress", gatewayHost).WithPath("/", gateway.GetEndpoint("http"));
    AddAlbIngress("traceui-ingress", uiHost)
        .WithPath("/api/public", traceIngest.GetEndpoint("http"))
        .WithPath("/", traceUi.GetEndpoint("http"));

    IResourceBuilder<Aspire.Hosting.Kubernetes.KubernetesIngressResource> AddAlbIngress(string name, IResourceBuilder<ParameterResource> host) =>
        k8s.AddIngress(name)
            .WithIngressClass("alb")
            .WithHostname(host)
            .WithIngressAnnotation("alb.ingress.kubernetes.io/group.name", Namespace)
            .WithIngressAnnotation("alb.ingress.kubernetes.io/scheme", "internet-facing")
            .WithIngressAnnotation("alb.ingress.kubernetes.io/target-type", "ip")
            .WithIngressAnnotation("alb.ingress.kubernetes.io/listen-ports", """[{"HTTP": 80}, {"HTTPS": 443}]""")
            .WithIngressAnnotation("alb.ingress.kubernetes.io/ssl-redirect", "443")
            .WithIngressAnnotation("alb.ingress.kubernetes.io/certificate-arn", certificateArn)
            .WithIngressAnnotation("alb.ingress.kubernetes.io/healthcheck-path", "/health")
            .WithIngressAnnotation("alb.ingress.kubernetes.io/load-balancer-attributes", "idle_timeout.timeout_seconds=600");
}

builder.Build().Run();

// The stores both TraceIngest roles use: relational (projects, keys), Redis (queue), ClickHouse, S3 (MinIO here).
IResourceBuilder<ProjectResource> WithTraceIngestStores(IResourceBuilder<ProjectResource> service) => service
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
    .WaitFor(minio);
