using System.Globalization;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Translation;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// <c>anthropic/&lt;model&gt;</c> deployments: Anthropic's Messages API at <c>api_base</c> (else
/// <c>ANTHROPIC_API_BASE</c>, <c>ANTHROPIC_BASE_URL</c>, else https://api.anthropic.com) with <c>api_key</c> (else
/// <c>ANTHROPIC_API_KEY</c>). OpenAI callers are translated both ways (<see cref="AnthropicChatAttempt"/>); callers of
/// the gateway's own <c>/v1/messages</c> pass through as bytes (<see cref="AnthropicPassthroughAttempt"/>).
/// </summary>
internal sealed class AnthropicProvider(UpstreamHttp upstream, TimeProvider clock, IConfiguration configuration) : ModelProvider
{
    public const string Prefix = "anthropic";
    public const string DefaultBase = "https://api.anthropic.com";

    /// <summary>LiteLLM's <c>max_tokens</c> for models it knows no limit of, overridable as there.</summary>
    private readonly int _fallbackMaxTokens =
        int.TryParse(configuration["DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS"], NumberStyles.None, CultureInfo.InvariantCulture, out var configured) && configured > 0 ? configured : 4096;

    public ProviderBinding Bind(LiteLlmParams parameters, Func<string, string?> environment)
    {
        if (!AnthropicAuth.TryParseSetting(parameters.Extra.GetValueOrDefault(AnthropicAuth.SettingName), out _))
        {
            return ProviderBinding.Invalid($"{AnthropicAuth.SettingName}: '{parameters.Extra[AnthropicAuth.SettingName]}' is not one of api_key, oauth, bearer");
        }

        Uri? baseUrl = parameters.ApiBase;
        foreach (var variable in (ReadOnlySpan<string>)["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"])
        {
            if (baseUrl is null && environment(variable) is { Length: > 0 } fromEnvironment
                && !(Uri.TryCreate(fromEnvironment, UriKind.Absolute, out baseUrl) && baseUrl.Scheme is "http" or "https"))
            {
                return ProviderBinding.Invalid($"api_base: {variable} '{fromEnvironment}' is not an absolute http(s) URL");
            }
        }

        baseUrl ??= new Uri(DefaultBase);
        var apiKey = parameters.ApiKey ?? (environment("ANTHROPIC_API_KEY") is { Length: > 0 } key ? new SecretValue(key) : null);
        if (apiKey is null && parameters.UnresolvedEnvironment.Count == 0 && baseUrl.Host == new Uri(DefaultBase).Host)
        {
            return new ProviderBinding(this, baseUrl, null, UnusableReason: "no API key: set litellm_params.api_key or ANTHROPIC_API_KEY");
        }

        return new ProviderBinding(this, baseUrl, apiKey);
    }

    public override ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment) =>
        call.Context.Features.Get<AnthropicInboundCall>() is { } inbound
            ? new AnthropicPassthroughAttempt(call, deployment, inbound, clock).RunAsync(upstream.Invoker)
            : new AnthropicChatAttempt(call, deployment, clock).RunAsync(upstream.Invoker, DefaultMaxTokens(deployment), deployment.DropParams);

    /// <summary>The <c>max_tokens</c> Anthropic requires when the caller set none: the deployment's <c>model_info</c>, else the model's limit.</summary>
    private int DefaultMaxTokens(Deployment deployment) =>
        deployment.Config.Info.MaxOutputTokens ?? deployment.Config.Info.MaxTokens ?? ClaudeOutputLimits.For(deployment.Config.Params.ProviderModel) ?? _fallbackMaxTokens;
}
