using System.Text.Json.Nodes;

namespace Infra.Tests.Kubernetes;

/// <summary>
/// One kustomization rendered by <c>kubectl kustomize</c> (the machine's kubectl, with kustomize v5) and read
/// back by tests/npm/scripts/validate-k8s.mjs, which also checks every object against its OpenAPI schema.
/// </summary>
public sealed class RenderedManifests
{
    private RenderedManifests(string directory, string yaml, IReadOnlyList<JsonObject> objects, IReadOnlyList<JsonObject> schemaFailures)
    {
        Directory = directory;
        Yaml = yaml;
        Objects = objects;
        SchemaFailures = schemaFailures;
    }

    /// <summary>The kustomization, relative to the repository root.</summary>
    public string Directory { get; }

    public string Yaml { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public IReadOnlyList<JsonObject> SchemaFailures { get; }

    public static async Task<RenderedManifests> RenderAsync(string kustomization)
    {
        using var work = new TemporaryDirectory("infra-render-");
        var yamlPath = work.Combine("rendered.yaml");
        var jsonPath = work.Combine("rendered.json");
        var kubectl = RequiredBinary.Find("kubectl", "kubectl");
        await ExternalProcess.RunAsync(kubectl, ["kustomize", RepositoryFiles.PathOf(kustomization), "-o", yamlPath], TimeSpan.FromMinutes(2));
        return await ReadAsync(kustomization, yamlPath, jsonPath);
    }

    /// <summary>Validates YAML that did not come from kustomize: how tests prove the validator can fail.</summary>
    public static async Task<RenderedManifests> ValidateAsync(string yaml)
    {
        using var work = new TemporaryDirectory("infra-validate-");
        var yamlPath = work.Combine("input.yaml");
        await File.WriteAllTextAsync(yamlPath, yaml);
        return await ReadAsync("(inline)", yamlPath, work.Combine("input.json"));
    }

    private static async Task<RenderedManifests> ReadAsync(string source, string yamlPath, string jsonPath)
    {
        var script = Path.Combine(Path.GetDirectoryName(NpmTools.NodeModules)!, "scripts", "validate-k8s.mjs");
        await ExternalProcess.RunAsync(NpmTools.Node, [script, yamlPath, jsonPath], TimeSpan.FromMinutes(2));
        var result = JsonNode.Parse(await File.ReadAllTextAsync(jsonPath))!.AsObject();
        return new RenderedManifests(
            source,
            await File.ReadAllTextAsync(yamlPath),
            result["objects"]!.AsArray().Select(o => o!.AsObject()).ToList(),
            result["failures"]!.AsArray().Select(o => o!.AsObject()).ToList());
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o.Kind() == kind);

    public JsonObject Single(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind() == kind && o.Name() == name)
        ?? throw new InvalidOperationException($"{Directory} renders no {kind} named {name}.");

    public JsonObject? Find(string kind, string name) => Objects.SingleOrDefault(o => o.Kind() == kind && o.Name() == name);

    /// <summary>Deployments and StatefulSets: every object with a pod template.</summary>
    public IEnumerable<JsonObject> Workloads => Objects.Where(o => o.Kind() is "Deployment" or "StatefulSet");
}
