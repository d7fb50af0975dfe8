using Gateway.Authentication;
using Storage.Governance;

namespace Gateway.Routing;

/// <summary>The current <see cref="ModelCatalog"/> as the shared key, team and user operations check model allow-lists against it.</summary>
internal sealed class ServedModels(ModelCatalog catalog) : IGatewayModels
{
    public bool Serves(string model)
    {
        var current = catalog.Current;
        // A name a wildcard model_name serves (openai/gpt-4o under openai/*) is a model of the gateway too.
        return current.TryResolve(model, out _)
            || (model.EndsWith('*') && (current.Groups.Any(g => g.Name.StartsWith(model[..^1], StringComparison.Ordinal))
                || current.Patterns.Any(p => p.Pattern.StartsWith(model[..^1], StringComparison.Ordinal))));
    }

    public IReadOnlyList<string> Names => [.. catalog.Current.Groups.Select(g => g.Name).Concat(catalog.Current.Patterns.Select(p => p.Pattern))];

    public bool IsMasterKey(string secret) =>
        catalog.MasterKey is { } master && MasterKeyAuthenticationHandler.Matches(secret, master.Reveal());
}
