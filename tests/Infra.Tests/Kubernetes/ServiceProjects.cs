using System.Xml.Linq;

namespace Infra.Tests.Kubernetes;

/// <summary>Which project each Deployment runs, and the container settings its csproj publishes the image with.</summary>
public static class ServiceProjects
{
    public static readonly IReadOnlyDictionary<string, string> ByDeployment = new Dictionary<string, string>
    {
        ["gateway"] = "Gateway",
        ["traceingest"] = "TraceIngest",
        ["traceingest-worker"] = "TraceIngest",
        ["traceui"] = "TraceUi",
    };

    public static XDocument Project(string project) => XDocument.Load(RepositoryFiles.PathOf(project, $"{project}.csproj"));

    public static string? Property(string project, string name) => Project(project).Descendants(name).SingleOrDefault()?.Value;

    /// <summary>The ports the image declares: Directory.Build.targets gives them to every project with a ContainerRepository.</summary>
    public static IReadOnlyList<int> ContainerPorts(string project) =>
        Property(project, "ContainerRepository") is null
            ? []
            : XDocument.Load(RepositoryFiles.PathOf("Directory.Build.targets")).Descendants("ContainerPort")
                .Select(p => int.Parse((string)p.Attribute("Include")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
