using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>
/// The models the gateway serves now: the current <see cref="ModelCatalogSnapshot"/>, replaced as a whole when the
/// config file changes. A call takes <see cref="Current"/> once and routes on it, so a reload never changes a call
/// half-way; calls in flight finish on the snapshot they started with.
/// </summary>
internal sealed class ModelCatalog
{
    private const int MaxRememberedDeployments = 8192;

    private readonly ConcurrentDictionary<string, DeploymentLoad> _loads = new(StringComparer.Ordinal);
    private readonly ProviderCatalog _providers;
    private volatile ModelCatalogSnapshot _current;

    public ModelCatalog(GatewayConfig config, ProviderCatalog providers, string? environmentMasterKey, Func<string, string?> environment, DateTimeOffset now)
    {
        _providers = providers;
        _current = Build(config, environmentMasterKey, environment, now);
    }

    public ModelCatalogSnapshot Current => _current;

    public GatewayConfig Config => Current.Config;
    public IReadOnlyList<ModelGroup> Groups => Current.Groups;
    public IReadOnlyDictionary<string, ModelGroup> GroupsByName => Current.GroupsByName;
    public SecretValue? MasterKey => Current.MasterKey;
    public DateTimeOffset LoadedAt => Current.LoadedAt;
    public IEnumerable<Deployment> Deployments => Current.Deployments;

    /// <summary>Binds <paramref name="config"/> and makes it current; throws <see cref="GatewayConfigException"/> and keeps the old one when it cannot be bound.</summary>
    public ModelCatalogSnapshot Replace(GatewayConfig config, string? environmentMasterKey, Func<string, string?> environment, DateTimeOffset now)
    {
        var next = Build(config, environmentMasterKey, environment, now);
        _current = next;
        var ids = next.Deployments.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in _loads.Keys.Where(id => !ids.Contains(id)))
        {
            _loads.TryRemove(id, out _);
        }

        return next;
    }

    private ModelCatalogSnapshot Build(GatewayConfig config, string? environmentMasterKey, Func<string, string?> environment, DateTimeOffset now) =>
        ModelCatalogSnapshot.Build(config, _providers, environmentMasterKey, environment, now, LoadOf);

    // Wildcards let callers name deployments, so how many are remembered is bounded.
    private DeploymentLoad LoadOf(string id) =>
        _loads.TryGetValue(id, out var load) ? load
        : _loads.Count < MaxRememberedDeployments ? _loads.GetOrAdd(id, static _ => new DeploymentLoad())
        : new DeploymentLoad();
}
