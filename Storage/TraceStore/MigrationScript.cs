using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Storage.TraceStore;

/// <summary>
/// One versioned <c>NNNN_name.sql</c> file embedded in this assembly, written for a single node and rendered
/// for a cluster on demand: <c>ON CLUSTER</c> after each DDL statement's object name and
/// <c>Replicated</c> before each MergeTree engine. chDB (no clusters) always gets the text as written.
/// </summary>
internal sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    private const string ResourcePrefix = "TraceStore.Migrations.";

    /// <summary>Every migration in this assembly, in version order.</summary>
    public static IReadOnlyList<MigrationScript> All { get; } = Load();

    /// <summary>The statements to run, one at a time (ClickHouse takes one per request).</summary>
    public IReadOnlyList<string> Render(string? cluster)
    {
        var statements = StatementEnd().Split(Sql)
            .Select(statement => CommentLine().Replace(statement, string.Empty).Trim())
            .Where(statement => statement.Length > 0);

        return cluster is null
            ? statements.ToList()
            : statements.Select(statement => Clustered(statement, cluster)).ToList();
    }

    /// <summary>The statement's text for a cluster: created on every node, replicated between them.</summary>
    public static string Clustered(string statement, string cluster)
    {
        var onCluster = DdlObject().Replace(statement, match => $"{match.Value} ON CLUSTER {cluster}", 1);
        return MergeTreeEngine().Replace(onCluster, match => $"{match.Groups["prefix"].Value}Replicated{match.Groups["engine"].Value}");
    }

    private static List<MigrationScript> Load()
    {
        var assembly = typeof(MigrationScript).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => FromResource(assembly, name))
            .OrderBy(script => script.Version)
            .ToList();
    }

    private static MigrationScript FromResource(Assembly assembly, string resource)
    {
        var name = Path.GetFileNameWithoutExtension(resource[ResourcePrefix.Length..]);
        var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], NumberStyles.None, CultureInfo.InvariantCulture);
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return new MigrationScript(version, name, reader.ReadToEnd());
    }

    [GeneratedRegex(@";[ \t]*(?:\r?\n|$)")]
    private static partial Regex StatementEnd();

    [GeneratedRegex(@"^[ \t]*--.*(?:\r?\n|$)", RegexOptions.Multiline)]
    private static partial Regex CommentLine();

    // CREATE TABLE|VIEW|MATERIALIZED VIEW|DATABASE [IF NOT EXISTS] x, ALTER TABLE x, DROP TABLE|VIEW [IF EXISTS] x
    [GeneratedRegex(@"^\s*(?:CREATE\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|DATABASE)(?:\s+IF\s+NOT\s+EXISTS)?|ALTER\s+TABLE|DROP\s+(?:TABLE|VIEW|DATABASE)(?:\s+IF\s+EXISTS)?)\s+[\w.`]+", RegexOptions.IgnoreCase)]
    private static partial Regex DdlObject();

    [GeneratedRegex(@"(?<prefix>ENGINE\s*=\s*)(?<engine>(?!Replicated)\w*MergeTree)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MergeTreeEngine();
}
