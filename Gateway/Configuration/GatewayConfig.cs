namespace Gateway.Configuration;

/// <summary>A LiteLLM-compatible <c>config.yaml</c>, validated: what the gateway serves and how it routes.</summary>
public sealed record GatewayConfig(
    string? SourcePath,
    IReadOnlyList<DeploymentConfig> ModelList,
    RouterSettings RouterSettings,
    LiteLlmSettings LiteLlmSettings,
    GeneralSettings GeneralSettings,
    IReadOnlyList<string> Warnings)
{
    public static GatewayConfig Empty { get; } = new(null, [], new RouterSettings(), new LiteLlmSettings(), new GeneralSettings(), []);
}

/// <summary>One entry of <c>model_list</c>: a deployment serving the model group <see cref="ModelName"/>.</summary>
/// <param name="Index">Position in <c>model_list</c>, for messages that point back at the file.</param>
public sealed record DeploymentConfig(int Index, string ModelName, LiteLlmParams Params, ModelInfo Info);

/// <param name="Model">The whole <c>provider/name</c> string.</param>
/// <param name="UnresolvedEnvironment">
/// <c>os.environ/NAME</c> references of this deployment whose variable is not set: the deployment cannot be
/// called, but the gateway starts (LiteLLM users rely on optional secrets for optional models).
/// </param>
/// <param name="Extra">Other scalar parameters, kept for providers that read their own (e.g. <c>mock_response</c>).</param>
public sealed record LiteLlmParams(
    string Model,
    string Provider,
    string ProviderModel,
    Uri? ApiBase,
    SecretValue? ApiKey,
    string? ApiVersion,
    string? AwsRegionName,
    int? Rpm,
    int? Tpm,
    TimeSpan? Timeout,
    TimeSpan? StreamTimeout,
    int? MaxRetries,
    double? Weight,
    bool? DropParams,
    IReadOnlyList<string> UnresolvedEnvironment,
    IReadOnlyDictionary<string, string> Extra)
{
    /// <summary><c>additional_drop_params</c>: top-level request fields always removed before the call.</summary>
    public IReadOnlyList<string> AdditionalDropParams { get; init; } = [];

    /// <summary>
    /// True for a wildcard deployment (<c>openai/*</c>, or <c>*</c> whose provider comes from the caller's model):
    /// it is bound per requested model.
    /// </summary>
    public bool IsPattern => Model.Contains('*', StringComparison.Ordinal);
}

/// <summary><c>model_info</c>: the fields the gateway reads; the rest is kept as given.</summary>
public sealed record ModelInfo(
    string? Id,
    string? Mode,
    int? MaxTokens,
    int? MaxInputTokens,
    int? MaxOutputTokens,
    decimal? InputCostPerToken,
    decimal? OutputCostPerToken,
    IReadOnlyDictionary<string, string> Extra)
{
    public static ModelInfo None { get; } = new(null, null, null, null, null, null, null, new Dictionary<string, string>());
}

public enum RoutingStrategy
{
    SimpleShuffle,
    LeastBusy,
    LatencyBased,
    UsageBased,
}

/// <summary><c>router_settings</c>, with LiteLLM's defaults.</summary>
public sealed record RouterSettings
{
    public RoutingStrategy RoutingStrategy { get; init; } = RoutingStrategy.SimpleShuffle;

    /// <summary>
    /// Latency-based routing picks at random among deployments within this fraction of the fastest
    /// (<c>routing_strategy_args.lowest_latency_buffer</c>; 0 = always the fastest).
    /// </summary>
    public double LowestLatencyBuffer { get; init; }

    /// <summary>Retries within a model group after the first attempt (LiteLLM's default: 2).</summary>
    public int NumRetries { get; init; } = 2;

    /// <summary>The least time to wait before retrying the same deployment.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.Zero;

    /// <summary>Failures a deployment may have within a minute before it is cooled down (LiteLLM's default: 3).</summary>
    public int AllowedFails { get; init; } = 3;

    public TimeSpan CooldownTime { get; init; } = TimeSpan.FromSeconds(5);

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContextWindowFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Fallbacks for groups that name none of their own.</summary>
    public IReadOnlyList<string> DefaultFallbacks { get; init; } = [];

    /// <summary>Default for deployments without <c>timeout</c> (LiteLLM's default: 600 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    public TimeSpan? StreamTimeout { get; init; }
}

/// <summary><c>litellm_settings</c> the gateway reads.</summary>
public sealed record LiteLlmSettings
{
    public bool DropParams { get; init; }

    public IReadOnlyList<string> SuccessCallback { get; init; } = [];

    public IReadOnlyList<string> FailureCallback { get; init; } = [];

    public decimal? MaxBudget { get; init; }

    public BudgetDuration? BudgetDuration { get; init; }

    /// <summary>The budget, in US dollars, of every end user (a call's <c>user</c>) without one of their own.</summary>
    public decimal? MaxEndUserBudget { get; init; }
}

/// <summary><c>general_settings</c> the gateway reads.</summary>
public sealed record GeneralSettings
{
    public SecretValue? MasterKey { get; init; }
}
