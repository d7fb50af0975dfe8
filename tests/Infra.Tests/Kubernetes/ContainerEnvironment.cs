using System.Text.Json.Nodes;

namespace Infra.Tests.Kubernetes;

/// <summary>Where one environment variable of a container comes from, and whether the pod starts without it.</summary>
public sealed record EnvironmentSource(string Name, string Origin, bool Optional, string? Literal);

/// <summary>
/// The environment a container gets once its ConfigMaps and ExternalSecret-made Secrets are resolved: the
/// variables of <c>env</c> and every key of each <c>envFrom</c> source. References that resolve to nothing are
/// collected in <see cref="Unresolved"/>.
/// </summary>
public sealed class ContainerEnvironment
{
    private ContainerEnvironment(IReadOnlyList<EnvironmentSource> variables, IReadOnlyList<string> unresolved)
    {
        Variables = variables;
        Unresolved = unresolved;
    }

    public IReadOnlyList<EnvironmentSource> Variables { get; }

    public IReadOnlyList<string> Unresolved { get; }

    /// <summary>The .NET configuration key each variable sets (<c>__</c> is <c>:</c>).</summary>
    public static string ConfigurationKey(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    public EnvironmentSource? Find(string configurationKey) =>
        Variables.LastOrDefault(v => string.Equals(ConfigurationKey(v.Name), configurationKey, StringComparison.OrdinalIgnoreCase));

    public static ContainerEnvironment Of(JsonObject container, RenderedManifests manifests)
    {
        var variables = new List<EnvironmentSource>();
        var unresolved = new List<string>();
        var name = (string)container["name"]!;

        foreach (var source in ManifestNodes.Objects(container["envFrom"]))
        {
            if (source["configMapRef"] is { } configMapRef)
            {
                var keys = ConfigMapKeys(manifests, (string)configMapRef["name"]!);
                if (keys is null)
                {
                    unresolved.Add($"{name}: envFrom ConfigMap {configMapRef["name"]} is not rendered");
                }

                variables.AddRange((keys ?? []).Select(k => new EnvironmentSource(k.Key, $"ConfigMap {configMapRef["name"]}", IsOptional(configMapRef), k.Value)));
            }
            else if (source["secretRef"] is { } secretRef)
            {
                var keys = ExternalSecrets.TargetKeys(manifests, (string)secretRef["name"]!);
                if (keys is null)
                {
                    unresolved.Add($"{name}: envFrom Secret {secretRef["name"]} is made by no ExternalSecret");
                }

                variables.AddRange(((IEnumerable<string>?)keys ?? []).Select(k => new EnvironmentSource(k, $"Secret {secretRef["name"]}", IsOptional(secretRef), null)));
            }
        }

        foreach (var variable in ManifestNodes.Objects(container["env"]))
        {
            var variableName = (string)variable["name"]!;
            if (variable["valueFrom"] is not { } valueFrom)
            {
                variables.Add(new EnvironmentSource(variableName, "literal", false, variable["value"]?.ToString() ?? string.Empty));
            }
            else if (valueFrom["configMapKeyRef"] is { } configMapKeyRef)
            {
                var keys = ConfigMapKeys(manifests, (string)configMapKeyRef["name"]!);
                var key = (string)configMapKeyRef["key"]!;
                if (keys is null || !keys.TryGetValue(key, out var value))
                {
                    unresolved.Add($"{name}: {variableName} reads key {key} of ConfigMap {configMapKeyRef["name"]}, which has no such key");
                    value = null;
                }

                variables.Add(new EnvironmentSource(variableName, $"ConfigMap {configMapKeyRef["name"]}", IsOptional(configMapKeyRef), value));
            }
            else if (valueFrom["secretKeyRef"] is { } secretKeyRef)
            {
                var keys = ExternalSecrets.TargetKeys(manifests, (string)secretKeyRef["name"]!);
                var key = (string)secretKeyRef["key"]!;
                if (keys is null || !keys.Contains(key))
                {
                    unresolved.Add($"{name}: {variableName} reads key {key} of Secret {secretKeyRef["name"]}, which no ExternalSecret produces");
                }

                variables.Add(new EnvironmentSource(variableName, $"Secret {secretKeyRef["name"]}", IsOptional(secretKeyRef), null));
            }
            else if (valueFrom["fieldRef"] is not null)
            {
                variables.Add(new EnvironmentSource(variableName, "pod field", false, null));
            }
            else
            {
                unresolved.Add($"{name}: {variableName} has a valueFrom these tests do not know");
            }
        }

        return new ContainerEnvironment(variables, unresolved);
    }

    private static bool IsOptional(JsonNode reference) => reference["optional"]?.GetValue<bool>() == true;

    private static Dictionary<string, string>? ConfigMapKeys(RenderedManifests manifests, string name) =>
        manifests.Find("ConfigMap", name) is { } configMap ? ManifestNodes.Strings(configMap["data"]).ToDictionary() : null;
}
