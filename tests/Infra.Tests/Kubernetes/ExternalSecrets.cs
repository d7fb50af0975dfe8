using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests.Kubernetes;

/// <summary>What the External Secrets Operator makes of the rendered ExternalSecrets.</summary>
public static partial class ExternalSecrets
{
    public static JsonObject? Making(RenderedManifests manifests, string secretName) =>
        manifests.OfKind("ExternalSecret").SingleOrDefault(e => (e.Text("spec", "target", "name") ?? e.Name()) == secretName);

    /// <summary>
    /// The keys of the Secret an ExternalSecret writes: its template's keys when it has a template (the operator's
    /// default merge policy replaces the fetched values with them), otherwise each fetched value's secretKey.
    /// </summary>
    public static IReadOnlySet<string>? TargetKeys(RenderedManifests manifests, string secretName)
    {
        if (Making(manifests, secretName) is not { } externalSecret)
        {
            return null;
        }

        var template = externalSecret["spec"]!["target"]?["template"]?["data"];
        return template is not null
            ? template.AsObject().Select(p => p.Key).ToHashSet()
            : ManifestNodes.Objects(externalSecret["spec"]!["data"]).Select(d => (string)d["secretKey"]!).ToHashSet();
    }

    /// <summary>Every store an ExternalSecret reads from: its own and those its values name.</summary>
    public static IEnumerable<string> StoresOf(JsonObject externalSecret) =>
        ManifestNodes.Objects(externalSecret["spec"]!["data"])
            .Select(d => d.Text("sourceRef", "storeRef", "name") ?? externalSecret.Text("spec", "secretStoreRef", "name")!)
            .Distinct();

    /// <summary>The remote keys (Secrets Manager names, SSM parameter names) an ExternalSecret reads, per store.</summary>
    public static IEnumerable<(string Store, string Key)> RemoteKeys(JsonObject externalSecret) =>
        ManifestNodes.Objects(externalSecret["spec"]!["data"])
            .Select(d => (d.Text("sourceRef", "storeRef", "name") ?? externalSecret.Text("spec", "secretStoreRef", "name")!, d.Text("remoteRef", "key")!));

    public static IEnumerable<string> TemplateVariables(JsonObject externalSecret) =>
        ManifestNodes.Strings(externalSecret["spec"]!["target"]?["template"]?["data"]).Values
            .SelectMany(value => TemplateVariable().Matches(value).Select(m => m.Groups["name"].Value));

    [GeneratedRegex(@"\{\{\s*\.(?<name>\w+)\s*\}\}")]
    private static partial Regex TemplateVariable();
}
