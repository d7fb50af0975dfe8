using Gateway.Apis;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// OpenAI and every server that speaks its API: the request goes on as the caller's bytes (only the model
/// name is replaced when the deployment names another), the answer comes back as the upstream's bytes.
/// YARP's forwarder does the HTTP work; <see cref="ForwardingAttempt"/> decides what each answer means.
/// </summary>
internal sealed class OpenAiCompatibleProvider(IHttpForwarder forwarder, UpstreamHttp upstream, TimeProvider clock) : ModelProvider
{
    public ProviderBinding Bind(OpenAiCompatibleEndpoint endpoint, LiteLlmParams parameters, Func<string, string?> environment)
    {
        var baseVariable = $"{endpoint.EnvironmentPrefix}_API_BASE";
        var fromEnvironment = environment(baseVariable) ?? (endpoint.Provider == "openai" ? environment("OPENAI_BASE_URL") : null);
        Uri? baseUrl = parameters.ApiBase;
        if (baseUrl is null && !string.IsNullOrEmpty(fromEnvironment)
            && !(Uri.TryCreate(fromEnvironment, UriKind.Absolute, out baseUrl) && baseUrl.Scheme is "http" or "https"))
        {
            return ProviderBinding.Invalid($"api_base: {baseVariable} '{fromEnvironment}' is not an absolute http(s) URL");
        }

        var isDefaultBase = false;
        if (baseUrl is null && endpoint.DefaultBase is not null)
        {
            baseUrl = new Uri(endpoint.DefaultBase);
            isDefaultBase = true;
        }

        if (baseUrl is null)
        {
            // An api_base given as an unset os.environ/ reference makes the deployment unusable, not the config invalid.
            return parameters.UnresolvedEnvironment.Count > 0
                ? new ProviderBinding(this, null, null)
                : ProviderBinding.Invalid($"api_base: is required for provider '{endpoint.Provider}' (or set {baseVariable})");
        }

        if (endpoint.PathSuffix.Length > 0 && !baseUrl.AbsolutePath.TrimEnd('/').EndsWith(endpoint.PathSuffix, StringComparison.Ordinal))
        {
            baseUrl = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + endpoint.PathSuffix);
        }

        var keyVariable = $"{endpoint.EnvironmentPrefix}_API_KEY";
        var apiKey = parameters.ApiKey ?? (environment(keyVariable) is { Length: > 0 } key ? new SecretValue(key) : null);
        if (apiKey is null && isDefaultBase && endpoint.KeyRequired && parameters.UnresolvedEnvironment.Count == 0)
        {
            return new ProviderBinding(this, baseUrl, null, UnusableReason: $"no API key: set litellm_params.api_key or {keyVariable}");
        }

        return new ProviderBinding(this, baseUrl, apiKey);
    }

    public override ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment) => SendAsync(call, deployment, deployment.UpstreamAuthorization);

    /// <param name="authorization">The header that authenticates the gateway to the upstream for this call.</param>
    public async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment, (string Name, string Value)? authorization)
    {
        var context = call.Context;
        var attempt = new ForwardingAttempt(call, deployment, clock, authorization);
        if (attempt.SetUpstreamBody() is { } refused)
        {
            // LiteLLM's UnsupportedParamsError: the caller's request, not the deployment, is at fault.
            call.WriteGatewayHeaders(deployment);
            await OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest, UpstreamRequestBody.RefusalMessage(deployment, refused), refused[0], "unsupported_params")
                .ExecuteAsync(context);
            return AttemptOutcome.PassedThrough;
        }

        context.Features.Set(attempt);
        context.Features.Set<IForwarderErrorFeature>(null);
        ForwarderError error;
        try
        {
            var config = new ForwarderRequestConfig { ActivityTimeout = call.Fields.Stream ? deployment.StreamTimeout : deployment.Timeout };
            error = await forwarder.SendAsync(context, deployment.BaseUrl!.AbsoluteUri, upstream.Invoker, config, OpenAiForwardingTransformer.Instance, call.Aborted);
        }
        finally
        {
            attempt.RestoreResponseBody();
            context.Features.Set<ForwardingAttempt>(null);
        }

        return attempt.Finish(error);
    }
}
