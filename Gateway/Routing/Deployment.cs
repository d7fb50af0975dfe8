using System.Text.Json;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>A deployment of a model group, bound to the provider that calls it.</summary>
internal sealed class Deployment
{
    private readonly Uri?[] _upstreamUris = new Uri?[Enum.GetValues<OpenAiOperation>().Length];
    private int _inFlight;

    public Deployment(DeploymentConfig config, string id, ModelProvider? provider, Uri? baseUrl, SecretValue? apiKey, string? unusableReason, TimeSpan timeout, TimeSpan streamTimeout)
    {
        Config = config;
        Id = id;
        HeaderId = id.All(char.IsAscii) ? id : Uri.EscapeDataString(id);
        Provider = provider;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        BearerAuthorization = apiKey is null ? null : "Bearer " + apiKey.Reveal();
        UnusableReason = unusableReason;
        Timeout = timeout;
        StreamTimeout = streamTimeout;
        EncodedProviderModel = JsonEncodedText.Encode(config.Params.ProviderModel);
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

    /// <summary>The <c>Authorization</c> header value for the upstream (a secret: never logged).</summary>
    public string? BearerAuthorization { get; }

    /// <summary>The upstream URL of an operation: <see cref="BaseUrl"/> followed by OpenAI's path for it.</summary>
    public Uri UpstreamUri(OpenAiOperation operation) =>
        _upstreamUris[(int)operation] ??= new Uri(BaseUrl!.AbsoluteUri.TrimEnd('/') + "/" + operation.UpstreamPath());

    /// <summary>Why calls cannot go to this deployment (unsupported provider, unset secret), or null.</summary>
    public string? UnusableReason { get; }

    /// <summary>How long to wait for the first byte of a non-streaming answer, and for each later byte.</summary>
    public TimeSpan Timeout { get; }

    public TimeSpan StreamTimeout { get; }

    /// <summary>The provider's name for the model as a JSON string, ready to splice into a request body.</summary>
    public JsonEncodedText EncodedProviderModel { get; }

    public double Weight { get; set; } = 1;

    /// <summary>Calls this replica has in flight to the deployment (least-busy routing).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void CallStarted() => Interlocked.Increment(ref _inFlight);

    public void CallEnded() => Interlocked.Decrement(ref _inFlight);

    public override string ToString() => Id;
}
