using System.Xml.Linq;

namespace Infra.Tests.Kubernetes;

/// <summary>
/// The trace store's clustered migrations (ON CLUSTER, Replicated engines with the server's default replica path)
/// work only against a server whose cluster, macros and Keeper match what the services are told.
/// </summary>
[Collection(EksOverlayCollection.Name)]
public sealed class ClickHouseClusterTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    private XElement ServerConfig => XElement.Parse(ConfigFile("clickhouse-config", "platform.xml"));

    [Fact]
    public void Services_name_the_cluster_the_server_defines()
    {
        var clusters = ServerConfig.Element("remote_servers")!.Elements().Select(e => e.Name.LocalName).ToList();
        foreach (var deployment in new[] { "traceingest", "traceingest-worker", "traceui" })
        {
            var environment = ContainerEnvironment.Of(Manifests.Single("Deployment", deployment).Containers().Single(), Manifests);
            Assert.Equal(clusters, [environment.Find(ServiceConfigurationKeys.ClickHouseCluster)!.Literal!]);
            var endpoint = new Uri(environment.Find(ServiceConfigurationKeys.ClickHouseEndpoint)!.Literal!);
            var service = Manifests.Single("Service", endpoint.Host);
            Assert.Contains(ManifestNodes.Objects(service["spec"]!["ports"]), p => p["port"]!.GetValue<int>() == endpoint.Port);
        }
    }

    [Fact]
    public void Every_replica_of_the_statefulset_is_in_the_cluster_and_has_its_macros()
    {
        var statefulSet = Manifests.Single("StatefulSet", "clickhouse");
        var replicas = statefulSet["spec"]!["replicas"]!.GetValue<int>();
        var headless = statefulSet.Text("spec", "serviceName");
        var hosts = ServerConfig.Element("remote_servers")!.Descendants("replica").Select(r => (string)r.Element("host")!).ToList();

        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"clickhouse-{i}.{headless}"), hosts);
        Assert.True(Manifests.Single("Service", headless!)["spec"]!["publishNotReadyAddresses"]!.GetValue<bool>());
        var macros = ServerConfig.Element("macros")!;
        Assert.NotNull(macros.Element("shard"));
        Assert.Equal("POD_NAME", (string?)macros.Element("replica")!.Attribute("from_env"));
        Assert.Contains(ManifestNodes.Objects(statefulSet.Containers().Single()["env"]), e => e.Text("name") == "POD_NAME" && e.Text("valueFrom", "fieldRef", "fieldPath") == "metadata.name");
    }

    [Fact]
    public void Replication_uses_every_keeper_node_and_keeper_forms_one_quorum()
    {
        var keeper = Manifests.Single("StatefulSet", "clickhouse-keeper");
        var replicas = keeper["spec"]!["replicas"]!.GetValue<int>();
        var headless = keeper.Text("spec", "serviceName");
        var expected = Enumerable.Range(0, replicas).Select(i => $"clickhouse-keeper-{i}.{headless}").ToList();

        Assert.True(replicas % 2 == 1 && replicas >= 3, "Keeper needs an odd number of nodes, at least three");
        Assert.Equal(expected, ServerConfig.Element("zookeeper")!.Elements("node").Select(n => (string)n.Element("host")!));
        var raft = XElement.Parse(ConfigFile("clickhouse-keeper-config", "keeper.xml")).Descendants("raft_configuration").Single().Elements("server").ToList();
        Assert.Equal(expected, raft.Select(s => (string)s.Element("hostname")!));
        Assert.Equal(Enumerable.Range(1, replicas).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), raft.Select(s => (string)s.Element("id")!));
    }

    [Fact]
    public void Tables_land_on_the_S3_policy_and_the_app_user_exists()
    {
        var policy = (string)ServerConfig.Element("merge_tree")!.Element("storage_policy")!;
        var storage = ServerConfig.Element("storage_configuration")!;
        var disk = (string)storage.Element("policies")!.Element(policy)!.Descendants("disk").Single();
        var cache = storage.Element("disks")!.Element(disk)!;
        Assert.Equal("cache", (string)cache.Element("type")!);
        Assert.Equal("s3", (string)storage.Element("disks")!.Element((string)cache.Element("disk")!)!.Element("type")!);

        var users = XElement.Parse(ConfigFile("clickhouse-users", "platform-users.xml")).Element("users")!;
        var username = ContainerEnvironment.Of(Manifests.Single("Deployment", "traceingest").Containers().Single(), Manifests).Find(ServiceConfigurationKeys.ClickHouseUsername)!.Literal!;
        Assert.NotNull(users.Element(username));
    }

    private string ConfigFile(string configMapPrefix, string file) =>
        ManifestNodes.Strings(Manifests.OfKind("ConfigMap").Single(c => c.Name().StartsWith(configMapPrefix + "-", StringComparison.Ordinal) && ManifestNodes.Strings(c["data"]).ContainsKey(file))["data"])[file];
}
