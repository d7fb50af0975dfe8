namespace Storage.Governance;

public enum CredentialRefreshOutcome
{
    Refreshed,
    UnknownDeployment,
    NotRefreshable,

    /// <summary>The identity provider would not issue a new credential; the one held before is kept.</summary>
    Refused,
}

/// <summary>
/// The answer to a manual refresh of a deployment's provider credential: its new status, or why there is none
/// (<see cref="Failure"/>, worded for an admin, never a secret).
/// </summary>
public sealed record CredentialRefresh(CredentialRefreshOutcome Outcome, CredentialStatus? Credential, string? Failure)
{
    public static CredentialRefresh Refreshed(CredentialStatus credential) => new(CredentialRefreshOutcome.Refreshed, credential, null);

    public static CredentialRefresh UnknownDeployment(string deploymentId) =>
        new(CredentialRefreshOutcome.UnknownDeployment, null, $"The gateway has no deployment '{deploymentId}'.");

    public static CredentialRefresh NotRefreshable(string deploymentId) =>
        new(CredentialRefreshOutcome.NotRefreshable, null,
            $"Deployment '{deploymentId}' has no credential the gateway can fetch anew (a static key, or one its SDK renews by itself).");

    public static CredentialRefresh Refused(string reason) => new(CredentialRefreshOutcome.Refused, null, reason);
}
