using Gateway.Configuration;
using Gateway.Providers.Anthropic;
using Gateway.Providers.Bedrock;
using Gateway.Providers.Mock;
using Gateway.Providers.OpenAi;

namespace Gateway.Providers;

/// <summary>Which provider serves a <c>provider/</c> prefix of <c>litellm_params.model</c>.</summary>
internal sealed class ProviderCatalog(
    OpenAiCompatibleProvider openAi, AzureOpenAiCredentials azureCredentials, MockProvider mock, BedrockProvider bedrock, AnthropicProvider anthropic)
{
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

        if (provider == BedrockProvider.Prefix)
        {
            return bedrock.Bind(deployment.Params, environment);
        }

        if (provider == AnthropicProvider.Prefix)
        {
            return anthropic.Bind(deployment.Params, environment);
        }

        if (OpenAiCompatibleEndpoints.Find(provider) is { } endpoint)
        {
            return openAi.Bind(endpoint, deployment.Params, environment);
        }

        return ProviderBinding.Unusable($"provider '{provider}' is not supported by this gateway");
    }
}
