namespace Infra.Tests.Kubernetes;

/// <summary>The EKS specifics: the ALB Ingress with TLS and health checks, IAM roles on the accounts that call AWS.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class EksIntegrationTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    /// <summary>The accounts whose pods call AWS, with the role each needs; the rest get no AWS identity.</summary>
    public static readonly IReadOnlyDictionary<string, string> RoleOfServiceAccount = new Dictionary<string, string>
    {
        ["gateway"] = "GATEWAY_ROLE_ARN",
        ["traceingest"] = "TRACEINGEST_ROLE_ARN",
        ["clickhouse"] = "CLICKHOUSE_ROLE_ARN",
        ["external-secrets-reader"] = "SECRETS_READER_ROLE_ARN",
    };

    [Fact]
    public void The_ingress_terminates_TLS_on_an_ALB_and_checks_health_on_health()
    {
        var ingress = Manifests.Single("Ingress", "llm-platform");
        var annotations = ManifestNodes.Strings(ingress["metadata"]!["annotations"]);

        Assert.Equal("alb", ingress.Text("spec", "ingressClassName"));
        Assert.Matches(@"^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/", annotations["alb.ingress.kubernetes.io/certificate-arn"]);
        Assert.Contains("\"HTTPS\": 443", annotations["alb.ingress.kubernetes.io/listen-ports"]);
        Assert.Equal("443", annotations["alb.ingress.kubernetes.io/ssl-redirect"]);
        Assert.Equal("ip", annotations["alb.ingress.kubernetes.io/target-type"]);
        var hosts = ManifestNodes.Objects(ingress["spec"]!["rules"]).Select(r => r.Text("host")).ToList();
        Assert.Equal(hosts, ManifestNodes.Objects(ingress["spec"]!["tls"]).SelectMany(t => t["hosts"]!.AsArray().Select(h => h!.ToString())));

        var backends = ManifestNodes.Objects(ingress["spec"]!["rules"])
            .SelectMany(r => ManifestNodes.Objects(r["http"]!["paths"]))
            .Select(p => (Service: p.Text("backend", "service", "name")!, Port: p.Text("backend", "service", "port", "name")!))
            .ToList();
        Assert.Equal(["gateway", "traceingest", "traceui"], backends.Select(b => b.Service).Distinct().Order());
        foreach (var (serviceName, port) in backends)
        {
            var service = Manifests.Single("Service", serviceName);
            Assert.Contains(ManifestNodes.Objects(service["spec"]!["ports"]), p => p.Text("name") == port);
            Assert.Equal(Microsoft.Extensions.Hosting.ServiceDefaultsExtensions.HealthPath, ManifestNodes.Strings(service["metadata"]!["annotations"])["alb.ingress.kubernetes.io/healthcheck-path"]);
        }
    }

    [Fact]
    public void Accounts_that_call_AWS_carry_their_IAM_role_and_no_other_does()
    {
        var settings = ManifestNodes.Strings(Manifests.Objects.Single(o => o.Kind() == "ConfigMap" && o.Name().StartsWith("platform-settings", StringComparison.Ordinal))["data"]);
        foreach (var account in Manifests.OfKind("ServiceAccount"))
        {
            var role = ManifestNodes.Strings(account["metadata"]!["annotations"]).GetValueOrDefault("eks.amazonaws.com/role-arn");
            if (RoleOfServiceAccount.TryGetValue(account.Name(), out var setting))
            {
                Assert.Equal(settings[setting], role);
                Assert.Matches(@"^arn:aws:iam::\d{12}:role/", role);
            }
            else
            {
                Assert.Null(role);
            }
        }
    }

    [Fact]
    public void Volumes_use_the_encrypted_storage_class()
    {
        var storageClass = Manifests.Single("StorageClass", "llm-platform-gp3");
        Assert.Equal("true", storageClass.Text("parameters", "encrypted"));
        Assert.Matches(@"^arn:aws:kms:", storageClass.Text("parameters", "kmsKeyId")!);
        foreach (var statefulSet in Manifests.OfKind("StatefulSet"))
        {
            Assert.All(ManifestNodes.Objects(statefulSet["spec"]!["volumeClaimTemplates"]), claim => Assert.Equal("llm-platform-gp3", claim.Text("spec", "storageClassName")));
        }
    }
}
