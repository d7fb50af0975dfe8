using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// Stateless, shared by every call: it hands each request and answer to the call's <see cref="ForwardingAttempt"/>.
/// Nothing from the caller's request is copied implicitly, so the caller's gateway key never reaches an upstream.
/// </summary>
internal sealed class OpenAiForwardingTransformer : HttpTransformer
{
    public static OpenAiForwardingTransformer Instance { get; } = new();

    private OpenAiForwardingTransformer()
    {
    }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        httpContext.Features.GetRequiredFeature<ForwardingAttempt>().PrepareRequest(proxyRequest);
        return ValueTask.CompletedTask;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
        proxyResponse is null
            ? ValueTask.FromResult(false)
            : httpContext.Features.GetRequiredFeature<ForwardingAttempt>().OnResponseAsync(proxyResponse, cancellationToken);

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
