using Gateway.Configuration;

namespace Gateway.Routing;

/// <summary>
/// Picks a deployment of a group by the routing strategy, skipping unusable and cooling-down ones:
/// simple-shuffle draws by weight; least-busy takes the fewest calls in flight (ties drawn by weight).
/// </summary>
internal sealed class DeploymentSelector(DeploymentCooldown cooldown)
{
    public async ValueTask<Selection> SelectAsync(ModelGroup group, RouterSettings settings, IReadOnlySet<Deployment>? excluded, CancellationToken cancellationToken)
    {
        List<Deployment>? candidates = null;
        foreach (var deployment in group.Deployments)
        {
            if (deployment.UnusableReason is null && deployment.Provider is not null && excluded?.Contains(deployment) != true)
            {
                (candidates ??= new List<Deployment>(group.Deployments.Count)).Add(deployment);
            }
        }

        var wait = TimeSpan.MaxValue;
        while (candidates is { Count: > 0 })
        {
            var index = settings.RoutingStrategy == RoutingStrategy.LeastBusy ? LeastBusy(candidates) : WeightedDraw(candidates);
            var deployment = candidates[index];
            var availability = await cooldown.CheckAsync(deployment, settings, cancellationToken);
            if (availability.CanCall)
            {
                return new Selection(deployment, availability.IsProbe, TimeSpan.Zero);
            }

            wait = availability.Wait < wait ? availability.Wait : wait;
            candidates.RemoveAt(index);
        }

        return new Selection(null, false, wait == TimeSpan.MaxValue ? TimeSpan.Zero : wait);
    }

    private static int WeightedDraw(List<Deployment> candidates)
    {
        if (candidates.Count == 1)
        {
            return 0;
        }

        var total = 0.0;
        foreach (var candidate in candidates)
        {
            total += candidate.Weight;
        }

        if (total <= 0)
        {
            return Random.Shared.Next(candidates.Count);
        }

        var point = Random.Shared.NextDouble() * total;
        for (var i = 0; i < candidates.Count; i++)
        {
            point -= candidates[i].Weight;
            if (point < 0)
            {
                return i;
            }
        }

        return candidates.Count - 1;
    }

    private static int LeastBusy(List<Deployment> candidates)
    {
        var fewest = int.MaxValue;
        foreach (var candidate in candidates)
        {
            fewest = Math.Min(fewest, candidate.InFlight);
        }

        var idle = candidates.FindAll(c => c.InFlight == fewest);
        return candidates.IndexOf(idle[WeightedDraw(idle)]);
    }
}

/// <param name="Deployment">The deployment to call, or null when none can be called now.</param>
/// <param name="Wait">When none can be called: how long until the first cooldown ends.</param>
internal readonly record struct Selection(Deployment? Deployment, bool IsProbe, TimeSpan Wait);
