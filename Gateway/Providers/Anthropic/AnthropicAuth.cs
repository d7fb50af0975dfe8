using Gateway.Configuration;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// How a deployment proves itself to Anthropic: an API key in <c>x-api-key</c>, or a bearer token in
/// <c>Authorization</c> — with the OAuth beta flag Anthropic requires for OAuth tokens (<c>sk-ant-oat…</c>, as
/// <c>claude setup-token</c> prints). Chosen by the key's shape, or by <c>litellm_params.anthropic_auth</c>
/// (<c>api_key</c>, <c>oauth</c> or <c>bearer</c>).
/// </summary>
internal enum AnthropicAuthMode
{
    ApiKey,
    OAuth,
    Bearer,
}

internal static class AnthropicAuth
{
    public const string SettingName = "anthropic_auth";
    public const string OAuthTokenPrefix = "sk-ant-oat";
    public const string OAuthBeta = "oauth-2025-04-20";

    public static bool TryParseSetting(string? value, out AnthropicAuthMode? mode)
    {
        mode = value switch
        {
            null => null,
            "api_key" => AnthropicAuthMode.ApiKey,
            "oauth" => AnthropicAuthMode.OAuth,
            "bearer" => AnthropicAuthMode.Bearer,
            _ => (AnthropicAuthMode?)(-1),
        };
        return mode is null or >= 0;
    }

    public static AnthropicAuthMode ModeFor(LiteLlmParams parameters, SecretValue key)
    {
        TryParseSetting(parameters.Extra.GetValueOrDefault(SettingName), out var configured);
        return configured ?? (key.Reveal().StartsWith(OAuthTokenPrefix, StringComparison.Ordinal) ? AnthropicAuthMode.OAuth : AnthropicAuthMode.ApiKey);
    }

    /// <summary>Adds the credential, and the OAuth beta flag to the caller's <c>anthropic-beta</c> flags when the token is an OAuth token.</summary>
    public static void Apply(HttpRequestMessage request, LiteLlmParams parameters, SecretValue? key, string? callerBetas)
    {
        var mode = key is null ? AnthropicAuthMode.ApiKey : ModeFor(parameters, key);
        if (key is not null)
        {
            if (mode == AnthropicAuthMode.ApiKey)
            {
                request.Headers.TryAddWithoutValidation("x-api-key", key.Reveal());
            }
            else
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key.Reveal());
            }
        }

        var betas = callerBetas;
        if (mode == AnthropicAuthMode.OAuth && !(betas?.Split(',').Any(b => b.Trim() == OAuthBeta) ?? false))
        {
            betas = string.IsNullOrWhiteSpace(betas) ? OAuthBeta : betas + "," + OAuthBeta;
        }

        if (!string.IsNullOrWhiteSpace(betas))
        {
            request.Headers.TryAddWithoutValidation("anthropic-beta", betas);
        }
    }
}
