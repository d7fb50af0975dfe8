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

    /// <summary>The credential this provider fetches and renews itself (an OAuth token), for the health page; null when it uses a static key.</summary>
    public virtual Storage.Governance.CredentialStatus? Credential => null;

    /// <summary>
    /// Fetches <see cref="Credential"/> anew now, for a provider whose credential says it is refreshable: its new
    /// status, or why the identity provider refused (the credential held before is kept).
    /// </summary>
    public virtual ValueTask<Storage.Governance.CredentialRefresh> RefreshCredentialAsync(Deployment deployment, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Storage.Governance.CredentialRefresh.NotRefreshable(deployment.Id));
}
