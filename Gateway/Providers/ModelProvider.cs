using Gateway.Inbound;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Calls one kind of upstream. An attempt either answers the caller (the response has started) or fails
/// without having written anything, so the router can retry, fall back or report.
/// </summary>
internal abstract class ModelProvider
{
    public abstract ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment);
}
