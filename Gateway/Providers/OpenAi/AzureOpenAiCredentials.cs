using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// Where <c>azure/</c> deployments without an API key get Entra ID tokens. Set in code, not configuration: the
/// defaults are what production wants; tests put a credential against their fake Entra ID here.
/// </summary>
public sealed class AzureOpenAiCredentialOptions
{
    /// <summary>
    /// Makes the credential of deployments without <c>client_secret</c>; default a new <see cref="DefaultAzureCredential"/>
    /// (environment, workload identity, managed identity, Azure CLI). Called again for each manual refresh, so the new
    /// credential's empty token cache makes it ask the identity provider.
    /// </summary>
    public Func<TokenCredential>? CreateDefaultCredential { get; set; }

    /// <summary>Adjusts the options of credentials built from <c>tenant_id</c>, <c>client_id</c> and <c>client_secret</c>.</summary>
    public Action<ClientSecretCredentialOptions>? ConfigureClientSecretCredential { get; set; }
}

/// <summary>
/// One <see cref="AzureEntraTokenProvider"/> per credential and scope, shared by the deployments that use them, so
/// each token is fetched once for all of them. As with LiteLLM: <c>tenant_id</c> + <c>client_id</c> +
/// <c>client_secret</c> in <c>litellm_params</c> make a client-secret credential, otherwise the default credential is
/// used; the scope is <c>AZURE_SCOPE</c>, else Azure OpenAI's.
/// </summary>
internal sealed class AzureOpenAiCredentials(OpenAiCompatibleProvider openAi, IOptions<AzureOpenAiCredentialOptions> options, TimeProvider clock, ILoggerFactory loggers)
{
    public const string DefaultScope = "https://cognitiveservices.azure.com/.default";

    private readonly ConcurrentDictionary<string, AzureEntraTokenProvider> _providers = new(StringComparer.Ordinal);

    public AzureEntraTokenProvider ProviderFor(LiteLlmParams parameters, Func<string, string?> environment)
    {
        var scope = environment("AZURE_SCOPE") is { Length: > 0 } configured ? configured : DefaultScope;
        var extra = parameters.Extra;
        if (extra.GetValueOrDefault("tenant_id") is { Length: > 0 } tenant
            && extra.GetValueOrDefault("client_id") is { Length: > 0 } client
            && extra.GetValueOrDefault("client_secret") is { Length: > 0 } secret)
        {
            var authorityHost = environment("AZURE_AUTHORITY_HOST");
            // Keyed by the secret's hash so two deployments with one app share a credential, and no secret is held as a key.
            var key = $"{tenant}|{client}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)))}|{authorityHost}|{scope}";
            return _providers.GetOrAdd(key, _ => Create(() => ClientSecret(tenant, client, secret, authorityHost), scope, $"client secret of app {client}"));
        }

        return _providers.GetOrAdd($"default|{scope}", _ => Create(options.Value.CreateDefaultCredential ?? (() => new DefaultAzureCredential()), scope, "the default Azure credential"));
    }

    private TokenCredential ClientSecret(string tenant, string client, string secret, string? authorityHost)
    {
        var credentialOptions = new ClientSecretCredentialOptions();
        if (authorityHost is { Length: > 0 } && Uri.TryCreate(authorityHost, UriKind.Absolute, out var host))
        {
            credentialOptions.AuthorityHost = host;
        }

        options.Value.ConfigureClientSecretCredential?.Invoke(credentialOptions);
        return new ClientSecretCredential(tenant, client, secret, credentialOptions);
    }

    private AzureEntraTokenProvider Create(Func<TokenCredential> createCredential, string scope, string description) =>
        new(openAi, new AzureAccessToken(createCredential, scope, clock), description, loggers.CreateLogger<AzureEntraTokenProvider>());
}
