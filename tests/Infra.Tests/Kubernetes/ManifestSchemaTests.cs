using k8s;

namespace Infra.Tests.Kubernetes;

[Collection(EksOverlayCollection.Name)]
public sealed class ManifestSchemaTests(EksOverlay eks)
{
    [Fact]
    public void Eks_overlay_renders_every_part_of_the_platform()
    {
        string[] expected =
        [
            "Namespace/llm-platform", "Deployment/gateway", "Deployment/traceingest", "Deployment/traceingest-worker", "Deployment/traceui",
            "StatefulSet/clickhouse", "StatefulSet/clickhouse-keeper", "Ingress/llm-platform", "StorageClass/llm-platform-gp3",
            "SecretStore/aws-secrets-manager", "SecretStore/aws-parameter-store", "NetworkPolicy/default-deny",
        ];

        Assert.Empty(expected.Except(eks.Manifests.Objects.Select(o => o.Id())));
    }

    [Fact]
    public void Every_rendered_object_matches_its_OpenAPI_schema()
    {
        Assert.True(eks.Manifests.Objects.Count > 50, $"only {eks.Manifests.Objects.Count} objects rendered");
        Assert.Empty(eks.Manifests.SchemaFailures.Select(f => f.ToJsonString()));
    }

    [Fact]
    public async Task Base_renders_and_matches_the_schemas_on_its_own()
    {
        var manifests = await RenderedManifests.RenderAsync("infra/k8s/base");

        Assert.NotEmpty(manifests.OfKind("Deployment"));
        Assert.Empty(manifests.SchemaFailures.Select(f => f.ToJsonString()));
    }

    [Fact]
    public async Task The_schema_check_rejects_a_malformed_object()
    {
        var manifests = await RenderedManifests.ValidateAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: broken }
            spec:
              selector: { matchLabels: { app: broken } }
              template:
                metadata: { labels: { app: broken } }
                spec:
                  containers:
                    - image: example
                      ports: [{ containerPort: "http" }]
            """);

        var failure = Assert.Single(manifests.SchemaFailures);
        Assert.Contains("containerPort", failure.ToJsonString());
    }

    /// <summary>The OpenAPI schemas allow unknown fields, which the API server drops: a misspelt probe would vanish silently.</summary>
    [Fact]
    public void Built_in_objects_have_no_unknown_fields()
    {
        var documents = eks.Manifests.Yaml.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(document => !document.Contains("apiVersion: external-secrets.io/", StringComparison.Ordinal))
            .ToList();

        var parsed = documents.Select(document => KubernetesYaml.LoadAllFromString(document, typeMap: null, strict: true).Single()).ToList();

        Assert.Equal(eks.Manifests.Objects.Count(o => !((string)o["apiVersion"]!).StartsWith("external-secrets.io/", StringComparison.Ordinal)), parsed.Count);
    }

    [Fact]
    public void Strict_parsing_rejects_a_misspelt_field()
    {
        const string misspelt = """
            apiVersion: v1
            kind: Service
            metadata: { name: x }
            spec:
              selctor: { app: x }
            """;

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, typeMap: null, strict: true));
    }
}
