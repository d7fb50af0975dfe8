using Storage.Governance;

namespace Gateway.Routing;

/// <summary>The current <see cref="ModelCatalog"/> as the shared key, team and user operations check model allow-lists against it.</summary>
internal sealed class ServedModels(ModelCatalog catalog) : IGatewayModels
{
    public bool Serves(string model) => catalog.Current.Served.Serves(model);

    public IReadOnlyList<string> Names => catalog.Current.Served.Names;

    public bool IsMasterKey(string secret) => catalog.MasterKey is { } master && MasterKeySecret.Matches(secret, master.Reveal());

    // The catalog is in this process: always current.
    public ValueTask<string?> RefreshAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
