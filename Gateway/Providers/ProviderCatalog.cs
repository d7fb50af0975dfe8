using Gateway.Configuration;
using Gateway.Providers.Mock;
using Gateway.Providers.OpenAi;

namespace Gateway.Providers;

/// <summary>Which provider serves a <c>provider/</c> prefix of <c>litellm_params.model</c>.</summary>
internal sealed class ProviderCatalog(OpenAiCompatibleProvider openAi, AzureOpenAiCredentials azureCredentials, MockProvider mock)
{
    /// <summary>Providers LiteLLM configs commonly name that later gateway versions add; listed so the message can say so.</summary>
    public static IReadOnlyList<string> Planned { get; } = ["anthropic", "bedrock"];

    public ProviderBinding Bind(DeploymentConfig deployment, Func<string, string?> environment)
    {
        var provider = deployment.Params.Provider;
        if (provider == MockProvider.Prefix)
        {
            return mock.Bind(deployment.Params);
        }

        if (provider == AzureOpenAiEndpoint.Prefix)
        {
            return AzureOpenAiEndpoint.Bind(openAi, azureCredentials, deployment.Params, environment);
        }

        if (OpenAiCompatibleEndpoints.Find(provider) is { } endpoint)
        {
            return openAi.Bind(endpoint, deployment.Params, environment);
        }

        return ProviderBinding.Unusable(Planned.Contains(provider)
            ? $"provider '{provider}' is not supported by this gateway version yet (it is planned)"
            : $"provider '{provider}' is not supported by this gateway");
    }
}
