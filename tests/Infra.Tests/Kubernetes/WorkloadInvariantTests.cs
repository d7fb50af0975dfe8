using System.Text.Json.Nodes;

namespace Infra.Tests.Kubernetes;

/// <summary>What every workload must be: probed on the ServiceDefaults paths, bounded, unprivileged, writing only to volumes.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class WorkloadInvariantTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    private IEnumerable<JsonObject> ServiceDeployments => Manifests.OfKind("Deployment");

    [Fact]
    public void Every_service_is_ready_on_health_and_alive_on_alive()
    {
        Assert.Equal(ServiceProjects.ByDeployment.Keys.Order(), ServiceDeployments.Select(d => d.Name()).Order());
        foreach (var deployment in ServiceDeployments)
        {
            var container = Assert.Single(deployment.Containers());
            Assert.Equal(Microsoft.Extensions.Hosting.ServiceDefaultsExtensions.HealthPath, container.Text("readinessProbe", "httpGet", "path"));
            Assert.Equal(Microsoft.Extensions.Hosting.ServiceDefaultsExtensions.AlivePath, container.Text("livenessProbe", "httpGet", "path"));
            Assert.Equal("http", container.Text("readinessProbe", "httpGet", "port"));
            Assert.Equal("http", container.Text("livenessProbe", "httpGet", "port"));
        }
    }

    [Fact]
    public void Every_container_requests_and_limits_cpu_and_memory()
    {
        foreach (var workload in Manifests.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                foreach (var bound in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.False(string.IsNullOrEmpty(container.Text("resources", bound, resource)), $"{workload.Id()} {container["name"]} has no {bound}.{resource}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Every_pod_runs_as_non_root_with_a_read_only_root_and_no_capabilities()
    {
        foreach (var workload in Manifests.Workloads)
        {
            var pod = workload.PodSpec();
            Assert.True(pod["securityContext"]?["runAsNonRoot"]?.GetValue<bool>() == true, $"{workload.Id()} may run as root");
            Assert.NotEqual(0, pod["securityContext"]?["runAsUser"]?.GetValue<int>() ?? 0);
            Assert.Equal("RuntimeDefault", pod.Text("securityContext", "seccompProfile", "type"));
            Assert.False(pod["automountServiceAccountToken"]?.GetValue<bool>() ?? true, $"{workload.Id()} mounts a Kubernetes API token it does not use");
            foreach (var container in workload.Containers())
            {
                var context = container["securityContext"];
                Assert.True(context?["readOnlyRootFilesystem"]?.GetValue<bool>() == true, $"{workload.Id()} has a writable root filesystem");
                Assert.True(context?["allowPrivilegeEscalation"]?.GetValue<bool>() == false, $"{workload.Id()} allows privilege escalation");
                Assert.Equal(["ALL"], context?["capabilities"]?["drop"]?.AsArray().Select(c => c!.ToString()) ?? []);
                Assert.Null(context?["capabilities"]?["add"]);
            }
        }
    }

    /// <summary>With a read-only root, every directory a process writes must be a volume, or start-up fails.</summary>
    [Fact]
    public void Every_directory_a_process_writes_is_a_mounted_volume()
    {
        foreach (var workload in Manifests.Workloads)
        {
            var container = workload.Containers().First();
            var environment = ContainerEnvironment.Of(container, Manifests);
            List<string> written = ["/tmp"];
            if (workload.Kind() == "Deployment")
            {
                written.Add(environment.Find(ServiceConfigurationKeys.DataDirectory)?.Literal ?? "(Storage:DataDirectory unset)");
                if (workload.Name() == "gateway")
                {
                    written.Add(environment.Find(ServiceConfigurationKeys.TraceSpool)?.Literal ?? "(trace spool unset)");
                }
            }
            else
            {
                written.Add(workload.Name() == "clickhouse" ? "/var/lib/clickhouse" : "/var/lib/clickhouse-keeper");
            }

            var writable = ManifestNodes.Objects(container["volumeMounts"])
                .Where(m => m["readOnly"]?.GetValue<bool>() != true)
                .Select(m => (string)m["mountPath"]!)
                .ToList();
            foreach (var path in written)
            {
                Assert.True(writable.Any(mount => path == mount || path.StartsWith(mount + "/", StringComparison.Ordinal)), $"{workload.Id()} writes {path}, which is not on a writable volume");
            }
        }
    }

    [Fact]
    public void Every_port_matches_what_the_service_listens_on()
    {
        foreach (var deployment in ServiceDeployments)
        {
            var container = Assert.Single(deployment.Containers());
            var listening = ContainerEnvironment.Of(container, Manifests).Find(ServiceConfigurationKeys.HttpPorts)?.Literal;
            var http = ManifestNodes.Objects(container["ports"]).Single(p => (string?)p["name"] == "http");
            Assert.Equal(listening, http["containerPort"]!.ToString());
            Assert.Contains(int.Parse(listening!, System.Globalization.CultureInfo.InvariantCulture), ServiceProjects.ContainerPorts(ServiceProjects.ByDeployment[deployment.Name()]));
        }

        foreach (var service in Manifests.OfKind("Service"))
        {
            var selected = Manifests.Workloads.Where(w => ManifestNodes.Selects(new JsonObject { ["matchLabels"] = service["spec"]!["selector"]!.DeepClone() }, w.PodLabels())).ToList();
            Assert.True(selected.Count > 0, $"{service.Id()} selects no workload");
            foreach (var port in ManifestNodes.Objects(service["spec"]!["ports"]))
            {
                var target = port["targetPort"]!.ToString();
                foreach (var workload in selected)
                {
                    var ports = workload.Containers().SelectMany(c => ManifestNodes.Objects(c["ports"])).ToList();
                    Assert.True(ports.Any(p => (string?)p["name"] == target || p["containerPort"]!.ToString() == target), $"{service.Id()} targets port {target}, which {workload.Id()} does not open");
                }
            }
        }
    }

    [Fact]
    public void Every_deployment_has_a_disruption_budget_and_an_autoscaler()
    {
        foreach (var deployment in ServiceDeployments)
        {
            var budget = Manifests.OfKind("PodDisruptionBudget").SingleOrDefault(p => ManifestNodes.Selects(p["spec"]!["selector"], deployment.PodLabels()));
            Assert.True(budget is not null, $"{deployment.Id()} has no PodDisruptionBudget");
            var autoscaler = Manifests.OfKind("HorizontalPodAutoscaler").SingleOrDefault(h => h.Text("spec", "scaleTargetRef", "name") == deployment.Name());
            Assert.True(autoscaler is not null, $"{deployment.Id()} has no HorizontalPodAutoscaler");
            var minReplicas = autoscaler["spec"]!["minReplicas"]!.GetValue<int>();
            Assert.True(minReplicas > (budget["spec"]!["minAvailable"]?.GetValue<int>() ?? 0), $"{deployment.Id()} could never be disrupted: minReplicas {minReplicas} is not above the budget's minAvailable");
            Assert.Equal(minReplicas, deployment["spec"]!["replicas"]!.GetValue<int>());
        }

        foreach (var statefulSet in Manifests.OfKind("StatefulSet"))
        {
            Assert.Contains(Manifests.OfKind("PodDisruptionBudget"), p => ManifestNodes.Selects(p["spec"]!["selector"], statefulSet.PodLabels()));
        }
    }

    [Fact]
    public void Images_are_the_published_repositories_in_the_sites_registry_and_tag()
    {
        var settings = ManifestNodes.Strings(Manifests.Objects.Single(o => o.Kind() == "ConfigMap" && o.Name().StartsWith("platform-settings", StringComparison.Ordinal))["data"]);
        foreach (var deployment in ServiceDeployments)
        {
            var repository = ServiceProjects.Property(ServiceProjects.ByDeployment[deployment.Name()], "ContainerRepository");
            Assert.Equal($"{settings["IMAGE_REGISTRY"]}/{repository}:{settings["IMAGE_TAG"]}", deployment.Containers().Single().Text("image"));
        }
    }
}
