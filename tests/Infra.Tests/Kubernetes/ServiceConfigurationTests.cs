using Gateway.Configuration;

namespace Infra.Tests.Kubernetes;

/// <summary>Every key a service reads is provided, every key provided is read, and every reference resolves.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class ServiceConfigurationTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    [Theory]
    [InlineData("gateway")]
    [InlineData("traceingest")]
    [InlineData("traceingest-worker")]
    [InlineData("traceui")]
    public void Every_key_the_service_needs_is_provided_and_never_optional(string deployment)
    {
        var environment = ContainerEnvironment.Of(Manifests.Single("Deployment", deployment).Containers().Single(), Manifests);

        foreach (var key in ServiceConfigurationKeys.RequiredBy(deployment))
        {
            var source = environment.Find(key);
            Assert.True(source is not null, $"{deployment} is not given {key}");
            Assert.False(source.Optional, $"{deployment} gets {key} from an optional source ({source.Origin})");
        }
    }

    [Fact]
    public void TraceIngest_runs_the_api_and_the_worker_as_separate_deployments()
    {
        Assert.Equal("api", Role("traceingest"));
        Assert.Equal("worker", Role("traceingest-worker"));

        string? Role(string deployment) =>
            ContainerEnvironment.Of(Manifests.Single("Deployment", deployment).Containers().Single(), Manifests).Find(ServiceConfigurationKeys.TraceIngestRoles)?.Literal;
    }

    [Fact]
    public void Every_key_the_manifests_set_is_read_by_the_services()
    {
        var gatewayProviderNames = GatewayConfigEnvironmentNames();
        foreach (var deployment in Manifests.OfKind("Deployment"))
        {
            foreach (var variable in ContainerEnvironment.Of(deployment.Containers().Single(), Manifests).Variables)
            {
                var key = ContainerEnvironment.ConfigurationKey(variable.Name);
                var read = ServiceConfigurationKeys.IsRead(key) || (deployment.Name() == "gateway" && gatewayProviderNames.Contains(variable.Name));
                Assert.True(read, $"{deployment.Name()} sets {variable.Name} ({variable.Origin}), which nothing reads");
            }
        }
    }

    [Fact]
    public void Every_config_map_and_secret_reference_resolves()
    {
        foreach (var workload in Manifests.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                Assert.Empty(ContainerEnvironment.Of(container, Manifests).Unresolved);
            }

            foreach (var volume in ManifestNodes.Objects(workload.PodSpec()["volumes"]).Where(v => v["configMap"] is not null))
            {
                Assert.NotNull(Manifests.Find("ConfigMap", volume.Text("configMap", "name")!));
            }
        }
    }

    /// <summary>The config.yaml in the ConfigMap is one the gateway loads, and each os.environ/ name it uses reaches the pod.</summary>
    [Fact]
    public void Gateway_config_loads_and_every_variable_it_names_reaches_the_gateway()
    {
        var names = GatewayConfigEnvironmentNames();
        var environment = ContainerEnvironment.Of(Manifests.Single("Deployment", "gateway").Containers().Single(), Manifests);
        var configPath = environment.Find(ServiceConfigurationKeys.ConfigFile)!.Literal!;
        var mount = ManifestNodes.Objects(Manifests.Single("Deployment", "gateway").Containers().Single()["volumeMounts"])
            .Single(m => configPath.StartsWith((string)m["mountPath"]! + "/", StringComparison.Ordinal));
        var volume = ManifestNodes.Objects(Manifests.Single("Deployment", "gateway").PodSpec()["volumes"]).Single(v => v.Text("name") == mount.Text("name"));
        Assert.Contains(Path.GetFileName(configPath), ManifestNodes.Strings(Manifests.Single("ConfigMap", volume.Text("configMap", "name")!)["data"]).Keys);

        Assert.Contains("LITELLM_MASTER_KEY", names);
        foreach (var name in names)
        {
            Assert.True(environment.Find(name) is not null, $"config.yaml reads os.environ/{name}, which the gateway pod never gets");
        }
    }

    private HashSet<string> GatewayConfigEnvironmentNames()
    {
        var configMap = Manifests.OfKind("ConfigMap").Single(c => c.Name().StartsWith("gateway-config", StringComparison.Ordinal));
        var yaml = ManifestNodes.Strings(configMap["data"])["config.yaml"];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var config = LiteLlmConfigReader.Read(yaml, "config.yaml", name =>
        {
            names.Add(name);
            return name == "LITELLM_MASTER_KEY" ? "sk-test" : "https://value.example";
        });
        Assert.NotEmpty(config.ModelList);
        return names;
    }
}
