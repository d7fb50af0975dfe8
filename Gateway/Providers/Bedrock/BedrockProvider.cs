using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// <c>bedrock/…</c> deployments: each is bound to its own <see cref="BedrockDeployment"/> (model id, region,
/// endpoint, credentials), which calls Bedrock Runtime's Converse and ConverseStream APIs for chat and
/// InvokeModel for Titan and Cohere embeddings. This class holds what they share.
/// </summary>
internal sealed class BedrockProvider(UpstreamHttp http, TimeProvider clock, ILogger<BedrockProvider> logger)
{
    public const string Prefix = "bedrock";

    public UpstreamHttp Http => http;
    public TimeProvider Clock => clock;
    public ILogger Logger => logger;

    public ProviderBinding Bind(LiteLlmParams parameters, Func<string, string?> environment)
    {
        var (target, unusable, error) = BedrockTarget.From(parameters, environment);
        if (error is not null)
        {
            return ProviderBinding.Invalid(error);
        }

        return target is null ? ProviderBinding.Unusable(unusable!) : new ProviderBinding(new BedrockDeployment(new BedrockRuntimeClient(target, this), this), target.Endpoint, null);
    }

}
