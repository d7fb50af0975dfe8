namespace Storage.Governance;

/// <summary>
/// Which model names a gateway serves, from its exact group names and its wildcard patterns: the one rule behind
/// <see cref="IGatewayModels.Serves"/>, whether the catalog is the gateway's own or read from its status route.
/// </summary>
public sealed class ServedModelNames
{
    private readonly HashSet<string> _groups;
    private readonly IReadOnlyList<ModelPattern> _patterns;

    public ServedModelNames(IEnumerable<string> groups, IEnumerable<string> patterns)
    {
        var names = groups.ToList();
        _groups = new HashSet<string>(names, StringComparer.Ordinal);
        _patterns = [.. patterns.Select(p => new ModelPattern(p))];
        Names = [.. names.Concat(_patterns.Select(p => p.Text))];
    }

    /// <summary>The group names, then the wildcard patterns.</summary>
    public IReadOnlyList<string> Names { get; }

    public static ServedModelNames Of(GatewayStatus status) =>
        new(status.Groups.Select(g => g.Name), status.Patterns);

    /// <summary>
    /// True when <paramref name="model"/> is a group, a name a wildcard pattern serves, or a <c>prefix*</c> that
    /// covers at least one group or pattern.
    /// </summary>
    public bool Serves(string model) =>
        _groups.Contains(model)
        || _patterns.Any(p => p.Match(model) is not null)
        || (model.EndsWith('*') && Names.Any(n => n.StartsWith(model[..^1], StringComparison.Ordinal)));
}
