using Gateway.Configuration;
using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>The config bound to providers: model groups by name, in the order the config lists them.</summary>
internal sealed class ModelCatalog
{
    private ModelCatalog(GatewayConfig config, IReadOnlyList<ModelGroup> groups, SecretValue? masterKey, DateTimeOffset loadedAt)
    {
        Config = config;
        Groups = groups;
        GroupsByName = groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        MasterKey = masterKey;
        LoadedAt = loadedAt;
    }

    public GatewayConfig Config { get; }
    public IReadOnlyList<ModelGroup> Groups { get; }
    public IReadOnlyDictionary<string, ModelGroup> GroupsByName { get; }

    /// <summary><c>general_settings.master_key</c>, else <c>LITELLM_MASTER_KEY</c>; null means callers need no key.</summary>
    public SecretValue? MasterKey { get; }

    public DateTimeOffset LoadedAt { get; }

    public IEnumerable<Deployment> Deployments => Groups.SelectMany(g => g.Deployments);

    public static ModelCatalog Build(GatewayConfig config, ProviderCatalog providers, string? environmentMasterKey, Func<string, string?> environment, DateTimeOffset now)
    {
        var errors = new List<string>();
        var router = config.RouterSettings;
        var groups = new List<ModelGroup>();
        foreach (var members in config.ModelList.GroupBy(d => d.ModelName, StringComparer.Ordinal))
        {
            var deployments = members.Select((member, position) => Bind(member, position, members.Count(), providers, router, environment, errors)).ToList();
            AssignWeights(deployments);
            groups.Add(new ModelGroup(
                members.Key,
                deployments,
                router.Fallbacks.TryGetValue(members.Key, out var fallbacks) ? fallbacks : router.DefaultFallbacks.Where(f => f != members.Key).ToList(),
                router.ContextWindowFallbacks.TryGetValue(members.Key, out var contextFallbacks) ? contextFallbacks : []));
        }

        if (errors.Count > 0)
        {
            throw new GatewayConfigException(config.SourcePath, errors);
        }

        var masterKey = config.GeneralSettings.MasterKey ?? (string.IsNullOrEmpty(environmentMasterKey) ? null : new SecretValue(environmentMasterKey));
        return new ModelCatalog(config, groups, masterKey, now);
    }

    private static Deployment Bind(DeploymentConfig config, int position, int groupSize, ProviderCatalog providers, RouterSettings router, Func<string, string?> environment, List<string> errors)
    {
        var id = config.Info.Id ?? (groupSize == 1 ? config.ModelName : $"{config.ModelName}#{position + 1}");
        var timeout = config.Params.Timeout ?? router.Timeout;
        var streamTimeout = config.Params.StreamTimeout ?? router.StreamTimeout ?? timeout;
        var binding = providers.Bind(config, environment);
        if (binding.Error is { } error)
        {
            errors.Add($"model_list[{config.Index}].litellm_params.{error}");
        }

        var unusable = binding.UnusableReason
            ?? (config.Params.UnresolvedEnvironment.Count > 0
                ? $"environment variable {string.Join(", ", config.Params.UnresolvedEnvironment)} is not set"
                : null);
        return new Deployment(config, id, binding, unusable, timeout, streamTimeout);
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
