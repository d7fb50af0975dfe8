using System.Text.RegularExpressions;

namespace Infra.Tests.AppHost;

/// <summary>
/// What AppHost/AppHost.cs wires, read from its source (the AppHost is not built here: Aspire's packages are not
/// served): each project resource with the configuration keys it receives, literal values and replicas.
/// </summary>
public sealed partial class AppHostModel
{
    private AppHostModel(string @namespace, IReadOnlyDictionary<string, AppHostResource> resources)
    {
        Namespace = @namespace;
        Resources = resources;
    }

    public string Namespace { get; }

    public IReadOnlyDictionary<string, AppHostResource> Resources { get; }

    public static AppHostModel Read()
    {
        var source = RepositoryFiles.Read("AppHost", "AppHost.cs");
        var constants = Constant().Matches(source).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        var connections = new Dictionary<string, string>
        {
            [AddDatabase().Match(source).Groups["variable"].Value] = AddDatabase().Match(source).Groups["name"].Value,
            [AddRedis().Match(source).Groups["variable"].Value] = AddRedis().Match(source).Groups["name"].Value,
        };

        // Statements of the local functions that configure a resource passed to them.
        var helpers = LocalFunction().Matches(source).ToDictionary(m => m.Groups["name"].Value, m => m.Value);

        var resources = new Dictionary<string, AppHostResource>();
        var variables = new Dictionary<string, AppHostResource>();
        foreach (Match project in AddProject().Matches(source))
        {
            var statement = StatementAt(source, project.Index);
            var resource = new AppHostResource(project.Groups["name"].Value);
            resources[resource.Name] = resource;
            Read(resource, statement);
            foreach (var (helper, body) in helpers.Where(h => statement.Contains(h.Key + "(", StringComparison.Ordinal)))
            {
                Read(resource, body);
            }

            if (VariableOf().Match(statement) is { Success: true } variable)
            {
                variables[variable.Groups["variable"].Value] = resource;
            }
        }

        // Later statements on a resource's variable, also through `foreach (var x in new[] { a, b })`.
        foreach (var (variable, resource) in variables)
        {
            foreach (Match call in Regex.Matches(source, $@"(?m)^\s*{variable}\.With[\s\S]*?;"))
            {
                Read(resource, call.Value);
            }
        }

        foreach (Match loop in ForEach().Matches(source))
        {
            var body = loop.Groups["body"].Value;
            foreach (var name in loop.Groups["items"].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                Read(variables[name], body);
            }
        }

        return new AppHostModel(constants["Namespace"], resources);

        void Read(AppHostResource resource, string text)
        {
            foreach (Match environment in WithEnvironment().Matches(text))
            {
                var value = environment.Groups["literal"].Success ? environment.Groups["literal"].Value
                    : constants.GetValueOrDefault(environment.Groups["expression"].Value.Trim());
                resource.Keys[environment.Groups["name"].Value.Replace("__", ":", StringComparison.Ordinal)] = value;
            }

            foreach (Match reference in WithReference().Matches(text))
            {
                if (connections.TryGetValue(reference.Groups["variable"].Value, out var connection))
                {
                    resource.Keys[$"ConnectionStrings:{connection}"] = null;
                }
            }

            if (WithReplicas().Match(text) is { Success: true } replicas)
            {
                resource.Replicas = int.Parse(replicas.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    private static string StatementAt(string source, int index)
    {
        var start = source.LastIndexOfAny([';', '{', '}'], index) + 1;
        var end = source.IndexOf(';', index);
        return source[start..(end + 1)];
    }

    [GeneratedRegex(@"const string (?<name>\w+) = ""(?<value>[^""]*)"";")]
    private static partial Regex Constant();

    [GeneratedRegex(@"var (?<variable>\w+) = builder\.AddPostgres[\s\S]*?\.AddDatabase\(""(?<name>[\w-]+)""\)")]
    private static partial Regex AddDatabase();

    [GeneratedRegex(@"var (?<variable>\w+) = builder\.AddRedis\(""(?<name>[\w-]+)""\)")]
    private static partial Regex AddRedis();

    [GeneratedRegex(@"builder\.AddProject<Projects\.\w+>\(""(?<name>[\w-]+)""\)")]
    private static partial Regex AddProject();

    [GeneratedRegex(@"^\s*var (?<variable>\w+) =")]
    private static partial Regex VariableOf();

    [GeneratedRegex(@"IResourceBuilder<ProjectResource> (?<name>\w+)\(IResourceBuilder<ProjectResource> \w+\) => [\s\S]*?;")]
    private static partial Regex LocalFunction();

    [GeneratedRegex(@"\.WithEnvironment\(""(?<name>[\w-]+)"",\s*(?:""(?<literal>[^""]*)""|(?<expression>[^)]*))\)")]
    private static partial Regex WithEnvironment();

    [GeneratedRegex(@"\.WithReference\((?<variable>\w+)\)")]
    private static partial Regex WithReference();

    [GeneratedRegex(@"\.WithReplicas\((?<count>\d+)\)")]
    private static partial Regex WithReplicas();

    [GeneratedRegex(@"foreach \(var (?<variable>\w+) in new\[\] \{ (?<items>[\w, ]+) \}\)\s*\{(?<body>[\s\S]*?)\n    \}")]
    private static partial Regex ForEach();
}

public sealed class AppHostResource(string name)
{
    public string Name { get; } = name;

    /// <summary>Configuration key → its literal value, or null when it is a reference (endpoint, parameter, connection).</summary>
    public Dictionary<string, string?> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int? Replicas { get; set; }
}
