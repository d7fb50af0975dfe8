using Gateway.Configuration;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// Azure OpenAI (<c>azure/&lt;deployment name&gt;</c>), as LiteLLM configures it: <c>api_base</c> (else
/// <c>AZURE_API_BASE</c>) is the resource endpoint, <c>api_key</c> (else <c>AZURE_API_KEY</c>, then
/// <c>AZURE_OPENAI_API_KEY</c>) goes in the <c>api-key</c> header, and <c>api_version</c> (else
/// <c>AZURE_API_VERSION</c>, else <see cref="DefaultApiVersion"/>) in the <c>api-version</c> query parameter.
/// Without a key the deployment authenticates with an Entra ID token (<see cref="AzureOpenAiCredentials"/>).
/// The API is OpenAI's, so calls go through <see cref="OpenAiCompatibleProvider"/> as bytes.
/// </summary>
internal static class AzureOpenAiEndpoint
{
    public const string Prefix = "azure";

    /// <summary>LiteLLM's default when neither <c>api_version</c> nor <c>AZURE_API_VERSION</c> is set.</summary>
    public const string DefaultApiVersion = "2025-02-01-preview";

    public static ProviderBinding Bind(OpenAiCompatibleProvider provider, AzureOpenAiCredentials credentials, LiteLlmParams parameters, Func<string, string?> environment)
    {
        var unresolved = parameters.UnresolvedEnvironment.Count > 0;
        Uri? baseUrl = parameters.ApiBase;
        if (baseUrl is null && environment("AZURE_API_BASE") is { Length: > 0 } fromEnvironment
            && !(Uri.TryCreate(fromEnvironment, UriKind.Absolute, out baseUrl) && baseUrl.Scheme is "http" or "https"))
        {
            return ProviderBinding.Invalid($"api_base: AZURE_API_BASE '{fromEnvironment}' is not an absolute http(s) URL");
        }

        if (baseUrl is null)
        {
            // An api_base given as an unset os.environ/ reference makes the deployment unusable, not the config invalid.
            return unresolved
                ? new ProviderBinding(provider, null, null)
                : ProviderBinding.Invalid($"api_base: is required for provider '{Prefix}' (the resource endpoint, https://<resource>.openai.azure.com; or set AZURE_API_BASE)");
        }

        var apiVersion = parameters.ApiVersion is { Length: > 0 } configured ? configured
            : environment("AZURE_API_VERSION") is { Length: > 0 } fromVariable ? fromVariable
            : DefaultApiVersion;
        var apiKey = parameters.ApiKey
            ?? (environment("AZURE_API_KEY") is { Length: > 0 } key ? new SecretValue(key)
                : environment("AZURE_OPENAI_API_KEY") is { Length: > 0 } openAiKey ? new SecretValue(openAiKey)
                : null);
        if (apiKey is null && !unresolved)
        {
            return new ProviderBinding(credentials.ProviderFor(parameters, environment), baseUrl, null, AzureApiVersion: apiVersion);
        }

        return new ProviderBinding(provider, baseUrl, apiKey, AzureApiVersion: apiVersion);
    }
}
