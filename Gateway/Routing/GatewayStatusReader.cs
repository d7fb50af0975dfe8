using Gateway.Providers;
using Storage.Governance;

namespace Gateway.Routing;

/// <summary>The gateway's live status, read in-process: the current catalog, the shared cooldown state and this replica's recent failures.</summary>
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
}
