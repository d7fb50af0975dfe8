using Gateway.Providers;
using Storage.Governance;

namespace Gateway.Routing;

/// <summary>
/// The gateway's live status, read in-process: the current catalog, the shared cooldown state and this replica's
/// recent failures; and this replica's provider credentials, refreshed on demand.
/// </summary>
internal sealed class GatewayStatusReader(ModelCatalog catalog, DeploymentCooldown cooldown, DeploymentFailures failures) : IGatewayStatus
{
    public async ValueTask<GatewayStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var current = catalog.Current;
        var groups = new List<ModelGroupStatus>(current.Groups.Count);
        foreach (var group in current.Groups)
        {
            var deployments = new List<DeploymentStatus>(group.Deployments.Count);
            foreach (var deployment in group.Deployments)
            {
                var (coolingFor, tripped) = await cooldown.PeekAsync(deployment, cancellationToken);
                deployments.Add(new DeploymentStatus(
                    deployment.Id,
                    deployment.ProviderName,
                    deployment.Config.Params.ProviderModel,
                    deployment.BaseUrl?.GetLeftPart(UriPartial.Path),
                    deployment.UnusableReason,
                    coolingFor,
                    tripped,
                    deployment.InFlight,
                    deployment.Provider?.Credential,
                    failures.Of(deployment.Id)));
            }

            groups.Add(new ModelGroupStatus(group.Name, group.Fallbacks, deployments));
        }

        return new GatewayStatus(current.LoadedAt, groups, [.. current.Patterns.Select(p => p.Pattern)]);
    }

    public async ValueTask<CredentialRefresh> RefreshCredentialAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var deployment = catalog.Current.Deployments.FirstOrDefault(d => d.Id == deploymentId);
        if (deployment is null)
        {
            return CredentialRefresh.UnknownDeployment(deploymentId);
        }

        return deployment.Provider is { Credential.Refreshable: true } provider
            ? await provider.RefreshCredentialAsync(deployment, cancellationToken)
            : CredentialRefresh.NotRefreshable(deploymentId);
    }
}
