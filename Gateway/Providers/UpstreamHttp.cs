using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Providers;

/// <summary>
/// The one HTTP client every provider uses to reach upstreams: pooled connections, no redirects, no cookies,
/// no decompression (bytes pass through as sent), and the environment's proxy settings as LiteLLM honours them.
/// </summary>
internal sealed class UpstreamHttp : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    }, disposeHandler: true);

    public void Dispose() => Invoker.Dispose();
}
