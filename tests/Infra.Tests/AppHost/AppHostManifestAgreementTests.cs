using Infra.Tests.Kubernetes;

namespace Infra.Tests.AppHost;

/// <summary>The Aspire AppHost and the Kubernetes manifests describe the same platform: names, keys, values, replicas.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class AppHostManifestAgreementTests(EksOverlay eks)
{
    /// <summary>Keys the AppHost needs only because it runs MinIO instead of S3 with an IAM role.</summary>
    private static readonly HashSet<string> LocalOnlyKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "S3:ServiceUrl", "S3:AccessKey", "S3:SecretKey", "S3:ForcePathStyle",
    };

    /// <summary>Keys whose value is the environment's own: a MinIO bucket there, the account's bucket here.</summary>
    private static readonly HashSet<string> EnvironmentValues = new(StringComparer.OrdinalIgnoreCase) { "S3:Bucket" };

    private readonly AppHostModel _appHost = AppHostModel.Read();

    private RenderedManifests Manifests => eks.Manifests;

    [Fact]
    public void Both_run_the_same_services_under_the_same_names_in_the_same_namespace()
    {
        Assert.Equal(Manifests.OfKind("Deployment").Select(d => d.Name()).Order(), _appHost.Resources.Keys.Order());
        Assert.NotNull(Manifests.Find("Namespace", _appHost.Namespace));
        Assert.Equal(["traceingest", "traceingest-worker"], _appHost.Resources.Keys.Where(k => k.StartsWith("traceingest", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void Every_key_the_AppHost_gives_a_service_reaches_its_deployment_with_the_same_value()
    {
        foreach (var resource in _appHost.Resources.Values)
        {
            var environment = ContainerEnvironment.Of(Manifests.Single("Deployment", resource.Name).Containers().Single(), Manifests);
            foreach (var (key, value) in resource.Keys.Where(k => !LocalOnlyKeys.Contains(k.Key)))
            {
                var source = environment.Find(key);
                Assert.True(source is not null, $"the AppHost gives {resource.Name} {key}, its Deployment does not");
                if (value is not null && source.Literal is not null && !EnvironmentValues.Contains(key))
                {
                    Assert.True(value == source.Literal, $"{resource.Name} {key}: '{value}' in the AppHost, '{source.Literal}' in Kubernetes");
                }
            }
        }
    }

    [Fact]
    public void Every_key_a_deployment_requires_is_wired_in_the_AppHost_too_or_is_a_cluster_concern()
    {
        // What only a pod needs: its port, writable directories on volumes, the ClickHouse cluster, the S3 region and a bucket it may not create.
        string[] clusterOnly =
        [
            ServiceConfigurationKeys.HttpPorts, ServiceConfigurationKeys.DataDirectory, ServiceConfigurationKeys.TraceSpool,
            ServiceConfigurationKeys.ClickHouseCluster, ServiceConfigurationKeys.S3Region, ServiceConfigurationKeys.S3CreateBucket,
        ];
        foreach (var resource in _appHost.Resources.Values)
        {
            foreach (var key in ServiceConfigurationKeys.RequiredBy(resource.Name).Except(clusterOnly))
            {
                Assert.True(resource.Keys.ContainsKey(key), $"{resource.Name} requires {key} in Kubernetes, but the AppHost does not give it");
            }
        }
    }

    [Fact]
    public void Replicas_agree()
    {
        foreach (var resource in _appHost.Resources.Values.Where(r => r.Replicas is not null))
        {
            Assert.Equal(resource.Replicas, Manifests.Single("Deployment", resource.Name)["spec"]!["replicas"]!.GetValue<int>());
        }
    }
}
