using System.Text.RegularExpressions;

namespace Infra.Tests.Kubernetes;

/// <summary>Secrets reach pods only through ExternalSecrets, and an optional one never stops a pod (seed 000's lesson).</summary>
[Collection(EksOverlayCollection.Name)]
public sealed partial class SecretSourcingTests(EksOverlay eks)
{
    private RenderedManifests Manifests => eks.Manifests;

    [Fact]
    public void No_secret_value_is_written_into_the_manifests()
    {
        Assert.Empty(Manifests.OfKind("Secret"));
        foreach (var workload in Manifests.Workloads)
        {
            foreach (var variable in workload.Containers().SelectMany(c => ContainerEnvironment.Of(c, Manifests).Variables))
            {
                if (SecretLooking().IsMatch(variable.Name))
                {
                    Assert.True(variable.Origin.StartsWith("Secret ", StringComparison.Ordinal), $"{workload.Id()} gets {variable.Name} from {variable.Origin}, not from a Secret");
                }
            }
        }
    }

    /// <summary>
    /// Parameter Store holds what operators add when they want a feature (provider keys, Entra ID, the first
    /// admin): each such Secret may be absent, so every reference to it is optional.
    /// </summary>
    [Fact]
    public void Secrets_of_optional_features_are_referenced_optionally_and_required_ones_are_generated()
    {
        foreach (var workload in Manifests.Workloads)
        {
            foreach (var variable in workload.Containers().SelectMany(c => ContainerEnvironment.Of(c, Manifests).Variables).Where(v => v.Origin.StartsWith("Secret ", StringComparison.Ordinal)))
            {
                var externalSecret = ExternalSecrets.Making(Manifests, variable.Origin["Secret ".Length..])!;
                var operatorProvided = externalSecret.Text("spec", "secretStoreRef", "name") == "aws-parameter-store";
                Assert.True(operatorProvided == variable.Optional,
                    $"{workload.Id()} reads {variable.Name} from {externalSecret.Name()} ({externalSecret.Text("spec", "secretStoreRef", "name")}) with optional={variable.Optional}");
            }
        }
    }

    [Fact]
    public void Every_external_secret_reads_existing_stores_and_fills_every_template_value()
    {
        var stores = Manifests.OfKind("SecretStore").Select(s => s.Name()).ToHashSet();
        foreach (var externalSecret in Manifests.OfKind("ExternalSecret"))
        {
            Assert.All(ExternalSecrets.StoresOf(externalSecret), store => Assert.Contains(store, stores));
            var fetched = ManifestNodes.Objects(externalSecret["spec"]!["data"]).Select(d => d.Text("secretKey")).ToHashSet();
            Assert.All(ExternalSecrets.TemplateVariables(externalSecret), variable => Assert.Contains(variable, fetched));
        }

        foreach (var store in Manifests.OfKind("SecretStore"))
        {
            var account = store.Text("spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "name")!;
            Assert.NotNull(Manifests.Find("ServiceAccount", account));
        }
    }

    [GeneratedRegex("PASSWORD|SECRET|_KEY$|Password$|SecretKey$|AccessKey$|ClientSecret$|^ConnectionStrings__")]
    private static partial Regex SecretLooking();
}
