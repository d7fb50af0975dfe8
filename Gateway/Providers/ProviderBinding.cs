using Gateway.Configuration;

namespace Gateway.Providers;

/// <summary>
/// A deployment tied to its provider: where it is reached and with which key; or why it cannot be called
/// (<see cref="UnusableReason"/>, the gateway still starts); or what is wrong in its config (<see cref="Error"/>,
/// a path relative to <c>litellm_params</c>, and start-up stops). <see cref="AzureApiVersion"/> is set for Azure
/// OpenAI deployments: their URLs name the deployment and the API version, and the key goes in <c>api-key</c>.
/// </summary>
internal sealed record ProviderBinding(ModelProvider? Provider, Uri? BaseUrl, SecretValue? ApiKey, string? UnusableReason = null, string? Error = null, string? AzureApiVersion = null)
{
    public static ProviderBinding Unusable(string reason) => new(null, null, null, reason);

    public static ProviderBinding Invalid(string error) => new(null, null, null, Error: error);
}
