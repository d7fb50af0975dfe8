namespace Storage.Governance;

/// <summary>
/// What the gateway serves and how its deployments are doing, read live from the gateway (its model catalog, the
/// shared cooldown state, its recent failures, its provider credentials): the models page of TraceUi shows it.
/// </summary>
public interface IGatewayStatus
{
    ValueTask<GatewayStatus> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Has the gateway fetch the provider credential of deployment <paramref name="deploymentId"/> anew now (one
    /// whose <see cref="CredentialStatus.Refreshable"/> is true), on the one gateway replica that answers: each
    /// replica holds its own.
    /// </summary>
    ValueTask<CredentialRefresh> RefreshCredentialAsync(string deploymentId, CancellationToken cancellationToken);
}

/// <param name="LoadedAt">When the gateway's current config was loaded.</param>
/// <param name="Patterns">Wildcard model names (<c>openai/*</c>) the gateway also serves.</param>
public sealed record GatewayStatus(DateTimeOffset LoadedAt, IReadOnlyList<ModelGroupStatus> Groups, IReadOnlyList<string> Patterns);

public sealed record ModelGroupStatus(string Name, IReadOnlyList<string> Fallbacks, IReadOnlyList<DeploymentStatus> Deployments);

/// <param name="Unusable">Why the gateway cannot call this deployment at all (e.g. its API key variable is not set), or null.</param>
/// <param name="CoolingFor">How much longer the deployment is out of rotation, or null when it is in.</param>
/// <param name="Tripped">Recently cooled down: the next call is a probe that decides whether it is back.</param>
public sealed record DeploymentStatus(
    string Id,
    string Provider,
    string ProviderModel,
    string? ApiBase,
    string? Unusable,
    TimeSpan? CoolingFor,
    bool Tripped,
    int InFlight,
    CredentialStatus? Credential,
    IReadOnlyList<DeploymentFailure> RecentFailures);

/// <param name="Kind">How the gateway authenticates to the provider (e.g. "Entra ID access token").</param>
/// <param name="ExpiresAt">When the credential the gateway holds now expires (null: not fetched yet or does not expire).</param>
/// <param name="Refreshable">An admin can have the gateway fetch it anew now (<see cref="IGatewayStatus.RefreshCredentialAsync"/>).</param>
public sealed record CredentialStatus(string Kind, DateTimeOffset? ExpiresAt, bool Refreshable = false);

/// <param name="Failure">What went wrong, as the router classifies it (timeout, rate limited, server error, …).</param>
public sealed record DeploymentFailure(DateTimeOffset At, string Failure, int? UpstreamStatus);
