using System.Text.Json;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Providers;
using Microsoft.Net.Http.Headers;

namespace Gateway.Routing;

/// <summary>A deployment of a model group, bound to the provider that calls it.</summary>
internal sealed class Deployment
{
    private readonly Uri?[] _upstreamUris = new Uri?[Enum.GetValues<OpenAiOperation>().Length];

    public Deployment(DeploymentConfig config, string id, ProviderBinding binding, string? unusableReason, TimeSpan timeout, TimeSpan streamTimeout,
        DeploymentLoad? load = null, bool dropParams = false)
    {
        var apiKey = binding.ApiKey;
        Config = config;
        Id = id;
        HeaderId = id.All(char.IsAscii) ? id : Uri.EscapeDataString(id);
        Provider = binding.Provider;
        BaseUrl = binding.BaseUrl;
        ApiKey = apiKey;
        AzureApiVersion = binding.AzureApiVersion;
        UpstreamAuthorization = apiKey is null ? null
            : AzureApiVersion is null ? (HeaderNames.Authorization, "Bearer " + apiKey.Reveal())
            : ("api-key", apiKey.Reveal());
        UnusableReason = unusableReason;
        Timeout = timeout;
        StreamTimeout = streamTimeout;
        EncodedProviderModel = JsonEncodedText.Encode(config.Params.ProviderModel);
        Load = load ?? new DeploymentLoad();
        DropParams = dropParams;
        UnsupportedParameters = UnsupportedParameters.For(config.Params.Provider, config.Params.ProviderModel, config.Params.AdditionalDropParams);
    }

    public DeploymentConfig Config { get; }

    /// <summary><c>model_info.id</c>, or the group name with the deployment's position in it.</summary>
    public string Id { get; }

    /// <summary><see cref="Id"/> as an HTTP header value.</summary>
    public string HeaderId { get; }

    public string ModelName => Config.ModelName;
    public string ProviderName => Config.Params.Provider;
    public ModelProvider? Provider { get; }
    public Uri? BaseUrl { get; }
    public SecretValue? ApiKey { get; }

    /// <summary>The Azure OpenAI <c>api-version</c> of an <c>azure/</c> deployment, else null.</summary>
    public string? AzureApiVersion { get; }

    /// <summary>
    /// The header that carries the key to the upstream: <c>Authorization: Bearer</c>, or <c>api-key</c> for Azure
    /// OpenAI (a secret: never logged).
    /// </summary>
    public (string Name, string Value)? UpstreamAuthorization { get; }

    /// <summary>
    /// The upstream URL of an operation: <see cref="BaseUrl"/> followed by OpenAI's path for it; for Azure OpenAI,
    /// <c>{BaseUrl}/openai/deployments/{deployment}/{path}?api-version={version}</c>.
    /// </summary>
    public Uri UpstreamUri(OpenAiOperation operation) =>
        _upstreamUris[(int)operation] ??= new Uri(AzureApiVersion is null
            ? BaseUrl!.AbsoluteUri.TrimEnd('/') + "/" + operation.UpstreamPath()
            : $"{BaseUrl!.AbsoluteUri.TrimEnd('/')}/openai/deployments/{Uri.EscapeDataString(Config.Params.ProviderModel)}/{operation.UpstreamPath()}"
              + $"?api-version={Uri.EscapeDataString(AzureApiVersion)}");

    /// <summary>Why calls cannot go to this deployment (unsupported provider, unset secret), or null.</summary>
    public string? UnusableReason { get; }

    /// <summary>How long to wait for the first byte of a non-streaming answer, and for each later byte.</summary>
    public TimeSpan Timeout { get; }

    public TimeSpan StreamTimeout { get; }

    /// <summary>The provider's name for the model as a JSON string, ready to splice into a request body.</summary>
    public JsonEncodedText EncodedProviderModel { get; }

    public double Weight { get; set; } = 1;

    /// <summary>Calls in flight and observed latency on this replica (least-busy and latency-based routing).</summary>
    public DeploymentLoad Load { get; }

    /// <summary>Calls this replica has in flight to the deployment.</summary>
    public int InFlight => Load.InFlight;

    /// <summary><c>drop_params</c> of the deployment, else of <c>litellm_settings</c>.</summary>
    public bool DropParams { get; }

    /// <summary>Request fields the deployment's provider or model does not accept.</summary>
    public UnsupportedParameters UnsupportedParameters { get; }

    /// <summary>The most prompt tokens the model takes (<c>model_info.max_input_tokens</c>), or null when not said.</summary>
    public int? MaxInputTokens => Config.Info.MaxInputTokens;

    public void CallStarted() => Load.CallStarted();

    public void CallEnded() => Load.CallEnded();

    public override string ToString() => Id;
}
