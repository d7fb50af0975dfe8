using Gateway.Configuration;
using Gateway.Governance.RateLimits;

namespace Gateway.Routing;

/// <summary>
/// Picks a deployment of a group by the routing strategy, skipping unusable and cooling-down ones:
/// simple-shuffle draws by weight; least-busy takes the fewest calls in flight (ties drawn by weight). With
/// deployment limits enforced, a deployment at its <c>rpm</c>/<c>tpm</c> is skipped too.
/// </summary>
internal sealed class DeploymentSelector(DeploymentCooldown cooldown, DeploymentRateLimits limits)
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
        var allAtLimit = true;
        while (candidates is { Count: > 0 })
        {
            var index = settings.RoutingStrategy == RoutingStrategy.LeastBusy ? LeastBusy(candidates) : WeightedDraw(candidates);
            var deployment = candidates[index];
            var availability = await cooldown.CheckAsync(deployment, settings, cancellationToken);
            if (availability.CanCall)
            {
                var (admitted, retryAfter) = await limits.TryTakeAsync(deployment, cancellationToken);
                if (admitted)
                {
                    return new Selection(deployment, availability.IsProbe, TimeSpan.Zero);
                }

                availability = availability with { Wait = retryAfter };
            }
            else
            {
                allAtLimit = false;
            }

            wait = availability.Wait < wait ? availability.Wait : wait;
            candidates.RemoveAt(index);
        }

        return new Selection(null, false, wait == TimeSpan.MaxValue ? TimeSpan.Zero : wait, AtRateLimit: allAtLimit && wait != TimeSpan.MaxValue);
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
/// <param name="Wait">When none can be called: how long until the first cooldown (or rate-limit window) ends.</param>
/// <param name="AtRateLimit">When none can be called: every candidate is at its deployment rate limit, none cooling down.</param>
internal readonly record struct Selection(Deployment? Deployment, bool IsProbe, TimeSpan Wait, bool AtRateLimit = false);
