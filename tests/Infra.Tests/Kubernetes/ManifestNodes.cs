using System.Text.Json.Nodes;

namespace Infra.Tests.Kubernetes;

/// <summary>Reading the parts of Kubernetes objects the tests look at, with a clear failure when one is missing.</summary>
public static class ManifestNodes
{
    public static string Kind(this JsonObject o) => (string)o["kind"]!;

    public static string Name(this JsonObject o) => (string)o["metadata"]!["name"]!;

    public static string Id(this JsonObject o) => $"{o.Kind()}/{o.Name()}";

    public static JsonObject PodSpec(this JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static IReadOnlyDictionary<string, string> PodLabels(this JsonObject workload) => Strings(workload["spec"]!["template"]!["metadata"]!["labels"]);

    public static IEnumerable<JsonObject> Containers(this JsonObject workload) => Objects(workload.PodSpec()["containers"]);

    public static IEnumerable<JsonObject> Objects(JsonNode? array) => array?.AsArray().Select(n => n!.AsObject()) ?? [];

    public static IReadOnlyDictionary<string, string> Strings(JsonNode? map) =>
        map?.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToString()) ?? new Dictionary<string, string>();

    public static string? Text(this JsonNode? node, params string[] path)
    {
        foreach (var part in path)
        {
            node = node?[part];
        }

        return node?.ToString();
    }

    /// <summary>Whether a label selector (matchLabels) selects these labels.</summary>
    public static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        var match = Strings(selector?["matchLabels"]);
        return match.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }
}
