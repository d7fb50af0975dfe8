using System.Text.Json.Nodes;

namespace Infra.Tests.Kubernetes;

/// <summary>Only what must talk may talk: a default deny, then one allowance per call the platform makes.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class NetworkPolicyTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    [Fact]
    public void Everything_is_denied_unless_allowed()
    {
        var deny = Manifests.Single("NetworkPolicy", "default-deny");
        Assert.Empty(deny["spec"]!["podSelector"]!.AsObject());
        Assert.Equal(["Ingress", "Egress"], deny["spec"]!["policyTypes"]!.AsArray().Select(t => t!.ToString()));
        Assert.Null(deny["spec"]!["ingress"]);
        Assert.Null(deny["spec"]!["egress"]);
    }

    [Theory]
    [InlineData("gateway", "traceingest", 8080, true)]
    [InlineData("traceingest", "clickhouse", 8123, true)]
    [InlineData("traceingest-worker", "clickhouse", 8123, true)]
    [InlineData("traceui", "clickhouse", 8123, true)]
    [InlineData("traceui", "gateway", 8080, true)]
    [InlineData("clickhouse", "clickhouse-keeper", 9181, true)]
    [InlineData("clickhouse", "clickhouse", 9009, true)]
    [InlineData("clickhouse-keeper", "clickhouse-keeper", 9234, true)]
    [InlineData("gateway", "clickhouse", 8123, false)]
    [InlineData("traceui", "traceingest", 8080, false)]
    [InlineData("traceingest-worker", "traceingest", 8080, false)]
    [InlineData("traceingest", "clickhouse-keeper", 9181, false)]
    [InlineData("gateway", "traceui", 8080, false)]
    public void Pod_to_pod_traffic_is_allowed_only_where_the_platform_calls(string from, string to, int port, bool allowed)
    {
        var source = Labels(from);
        var target = Labels(to);
        var egress = Policies(source, "Egress").SelectMany(p => ManifestNodes.Objects(p["spec"]!["egress"]))
            .Any(rule => Permits(rule, "to", target, port));
        var ingress = Policies(target, "Ingress").SelectMany(p => ManifestNodes.Objects(p["spec"]!["ingress"]))
            .Any(rule => Permits(rule, "from", source, port));

        Assert.Equal(allowed, egress && ingress);
    }

    [Fact]
    public void Every_workload_has_a_policy_of_its_own()
    {
        foreach (var workload in Manifests.Workloads)
        {
            Assert.Contains(Manifests.OfKind("NetworkPolicy"), p => p["spec"]!["podSelector"]!.AsObject().Count > 0 && ManifestNodes.Selects(p["spec"]!["podSelector"], workload.PodLabels()));
        }
    }

    private IReadOnlyDictionary<string, string> Labels(string workload) => Manifests.Workloads.Single(w => w.Name() == workload).PodLabels();

    private IEnumerable<JsonObject> Policies(IReadOnlyDictionary<string, string> pod, string type) =>
        Manifests.OfKind("NetworkPolicy").Where(p =>
            ManifestNodes.Selects(p["spec"]!["podSelector"], pod) && p["spec"]!["policyTypes"]!.AsArray().Any(t => t!.ToString() == type));

    private static bool Permits(JsonObject rule, string peersField, IReadOnlyDictionary<string, string> peer, int port)
    {
        var ports = ManifestNodes.Objects(rule["ports"]).ToList();
        var portMatches = ports.Count == 0 || ports.Any(p => p["port"]!.GetValue<int>() == port);
        // Peers in this namespace are matched by podSelector alone; ipBlocks and other namespaces are not pods of ours.
        var peerMatches = ManifestNodes.Objects(rule[peersField]).Any(p => p["podSelector"] is not null && p["namespaceSelector"] is null && ManifestNodes.Selects(p["podSelector"], peer));
        return portMatches && peerMatches;
    }
}
