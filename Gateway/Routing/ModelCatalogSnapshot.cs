using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Providers;
using Storage.Governance;

namespace Gateway.Routing;

/// <summary>
/// One read of the config bound to providers: model groups by name in the order the config lists them, and the
/// wildcard entries (<c>openai/*</c>, <c>*</c>) that serve other names. Immutable once built, so a call routes
/// on one snapshot from start to end while a reload swaps in the next.
/// </summary>
internal sealed class ModelCatalogSnapshot
{
    // Wildcard groups are built on first use per requested name; beyond this many names they are not kept.
    private const int MaxResolvedNames = 4096;

    private readonly IReadOnlyList<(ModelPattern Pattern, IReadOnlyList<DeploymentConfig> Members)> _patterns;
    private readonly ConcurrentDictionary<string, ModelGroup> _resolved = new(StringComparer.Ordinal);
    private readonly ProviderCatalog _providers;
    private readonly Func<string, string?> _environment;
    private readonly Func<string, DeploymentLoad> _loads;

    private ModelCatalogSnapshot(
        GatewayConfig config, IReadOnlyList<ModelGroup> groups, IReadOnlyList<(ModelPattern, IReadOnlyList<DeploymentConfig>)> patterns,
        SecretValue? masterKey, DateTimeOffset loadedAt, ProviderCatalog providers, Func<string, string?> environment, Func<string, DeploymentLoad> loads)
    {
        Config = config;
        Groups = groups;
        GroupsByName = groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        _patterns = patterns;
        Served = new ServedModelNames(groups.Select(g => g.Name), patterns.Select(p => p.Item1.Text));
        MasterKey = masterKey;
        LoadedAt = loadedAt;
        _providers = providers;
        _environment = environment;
        _loads = loads;
    }

    public GatewayConfig Config { get; }

    /// <summary>The groups of exact <c>model_name</c>s; wildcard entries are in <see cref="Patterns"/>.</summary>
    public IReadOnlyList<ModelGroup> Groups { get; }

    public IReadOnlyDictionary<string, ModelGroup> GroupsByName { get; }

    /// <summary>Wildcard <c>model_name</c>s, most specific first, with the provider each names (<c>*</c> when the caller's model does).</summary>
    public IEnumerable<(string Pattern, string Provider)> Patterns => _patterns.Select(p => (p.Pattern.Text, p.Members[0].Params.Provider));

    /// <summary>The model names this snapshot serves, as the management operations check allow-lists against them.</summary>
    public ServedModelNames Served { get; }

    /// <summary><c>general_settings.master_key</c>, else <c>LITELLM_MASTER_KEY</c>; null means callers need no key.</summary>
    public SecretValue? MasterKey { get; }

    public DateTimeOffset LoadedAt { get; }

    public IEnumerable<Deployment> Deployments => Groups.SelectMany(g => g.Deployments);

    /// <summary>The group serving <paramref name="model"/>: its exact <c>model_name</c>, else the most specific wildcard that matches.</summary>
    public bool TryResolve(string model, out ModelGroup group)
    {
        if (GroupsByName.TryGetValue(model, out group!) || _resolved.TryGetValue(model, out group!))
        {
            return true;
        }

        foreach (var (pattern, members) in _patterns)
        {
            if (pattern.Match(model) is { } captures)
            {
                group = BuildWildcardGroup(model, pattern, members, captures);
                if (_resolved.Count < MaxResolvedNames)
                {
                    group = _resolved.GetOrAdd(model, group);
                }

                return true;
            }
        }

        group = null!;
        return false;
    }

    private ModelGroup BuildWildcardGroup(string model, ModelPattern pattern, IReadOnlyList<DeploymentConfig> members, string[] captures)
    {
        var router = Config.RouterSettings;
        var deployments = new List<Deployment>(members.Count);
        for (var position = 0; position < members.Count; position++)
        {
            var member = members[position];
            var concrete = Concrete(member, model, captures);
            var id = member.Info.Id is { } baseId ? $"{baseId}:{model}" : members.Count == 1 ? model : $"{model}#{position + 1}";
            deployments.Add(Bind(concrete, id, _providers, Config, _environment, _loads, errors: null));
        }

        AssignWeights(deployments);
        return new ModelGroup(model, deployments, FallbacksOf(router.Fallbacks, model, pattern.Text, router.DefaultFallbacks), ContextFallbacksOf(router, model, pattern.Text));
    }

    /// <summary>The wildcard entry made concrete for one requested model: <c>*</c>s substituted, the provider split off.</summary>
    private static DeploymentConfig Concrete(DeploymentConfig member, string model, string[] captures)
    {
        var full = member.Params.Model == ModelPattern.Wildcard ? model : ModelPattern.Substitute(member.Params.Model, captures);
        var separator = full.IndexOf('/', StringComparison.Ordinal);
        // A bare name under the catch-all goes to OpenAI, the provider LiteLLM assumes for its own model names.
        var (provider, providerModel) = separator > 0 && separator < full.Length - 1 ? (full[..separator], full[(separator + 1)..]) : ("openai", full);
        return member with
        {
            ModelName = model,
            Params = member.Params with { Model = $"{provider}/{providerModel}", Provider = provider, ProviderModel = providerModel },
        };
    }

    public static ModelCatalogSnapshot Build(
        GatewayConfig config, ProviderCatalog providers, string? environmentMasterKey, Func<string, string?> environment, DateTimeOffset now,
        Func<string, DeploymentLoad> loads)
    {
        var errors = new List<string>();
        var router = config.RouterSettings;
        var groups = new List<ModelGroup>();
        var patterns = new List<(ModelPattern, IReadOnlyList<DeploymentConfig>)>();
        foreach (var members in config.ModelList.GroupBy(d => d.ModelName, StringComparer.Ordinal))
        {
            var list = members.ToList();
            if (ModelPattern.IsPattern(members.Key))
            {
                // Bound per requested model; a fixed provider's requirements (api_base, key) are still checked now.
                foreach (var member in list.Where(m => m.Params.Provider != ModelPattern.Wildcard))
                {
                    Bind(member, member.ModelName, providers, config, environment, loads, errors);
                }

                patterns.Add((new ModelPattern(members.Key), list));
                continue;
            }

            var deployments = list.Select((member, position) =>
                Bind(member, member.Info.Id ?? (list.Count == 1 ? member.ModelName : $"{member.ModelName}#{position + 1}"), providers, config, environment, loads, errors)).ToList();
            AssignWeights(deployments);
            groups.Add(new ModelGroup(members.Key, deployments, FallbacksOf(router.Fallbacks, members.Key, null, router.DefaultFallbacks), ContextFallbacksOf(router, members.Key, null)));
        }

        if (errors.Count > 0)
        {
            throw new GatewayConfigException(config.SourcePath, errors);
        }

        // The most literal characters first, as the most specific; config order among equals.
        var ordered = patterns.Select((p, i) => (p, i)).OrderByDescending(x => x.p.Item1.LiteralLength).ThenBy(x => x.i).Select(x => x.p).ToList();
        var masterKey = config.GeneralSettings.MasterKey ?? (string.IsNullOrEmpty(environmentMasterKey) ? null : new SecretValue(environmentMasterKey));
        return new ModelCatalogSnapshot(config, groups, ordered, masterKey, now, providers, environment, loads);
    }

    private static IReadOnlyList<string> FallbacksOf(IReadOnlyDictionary<string, IReadOnlyList<string>> fallbacks, string name, string? pattern, IReadOnlyList<string> defaults) =>
        fallbacks.TryGetValue(name, out var own) ? own
        : pattern is not null && fallbacks.TryGetValue(pattern, out var ofPattern) ? ofPattern
        : defaults.Where(f => f != name).ToList();

    private static IReadOnlyList<string> ContextFallbacksOf(RouterSettings router, string name, string? pattern) =>
        router.ContextWindowFallbacks.TryGetValue(name, out var own) ? own
        : pattern is not null && router.ContextWindowFallbacks.TryGetValue(pattern, out var ofPattern) ? ofPattern
        : [];

    private static Deployment Bind(
        DeploymentConfig config, string id, ProviderCatalog providers, GatewayConfig gateway, Func<string, string?> environment,
        Func<string, DeploymentLoad> loads, List<string>? errors)
    {
        var router = gateway.RouterSettings;
        var timeout = config.Params.Timeout ?? router.Timeout;
        var streamTimeout = config.Params.StreamTimeout ?? router.StreamTimeout ?? timeout;
        var binding = providers.Bind(config, environment);
        if (binding.Error is { } error)
        {
            errors?.Add($"model_list[{config.Index}].litellm_params.{error}");
        }

        var unusable = binding.UnusableReason
            ?? (errors is null ? binding.Error : null)
            ?? (config.Params.UnresolvedEnvironment.Count > 0
                ? $"environment variable {string.Join(", ", config.Params.UnresolvedEnvironment)} is not set"
                : null);
        var dropParams = config.Params.DropParams ?? gateway.LiteLlmSettings.DropParams;
        return new Deployment(config, id, binding, unusable, timeout, streamTimeout, loads(id), dropParams);
    }

    /// <summary>LiteLLM's simple-shuffle weights: <c>weight</c> if any deployment of the group has one, else <c>rpm</c>, else <c>tpm</c>, else equal.</summary>
    private static void AssignWeights(List<Deployment> deployments)
    {
        Func<Deployment, double?> source =
            deployments.Any(d => d.Config.Params.Weight is not null) ? d => d.Config.Params.Weight
            : deployments.Any(d => d.Config.Params.Rpm is not null) ? d => d.Config.Params.Rpm
            : deployments.Any(d => d.Config.Params.Tpm is not null) ? d => d.Config.Params.Tpm
            : _ => 1;
        foreach (var deployment in deployments)
        {
            deployment.Weight = source(deployment) ?? 1;
        }
    }
}
