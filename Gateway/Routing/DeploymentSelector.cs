using Gateway.Configuration;
using Gateway.Inbound;

namespace Gateway.Routing;

/// <summary>
/// Picks a deployment of a group by the routing strategy, skipping unusable ones, cooling-down ones and ones whose
/// <c>rpm</c>/<c>tpm</c> this minute is spent: simple-shuffle draws by weight; least-busy takes the fewest calls in
/// flight; latency-based takes the lowest moving average of latency (of time to first token for streams), trying
/// deployments without a measurement first; usage-based takes the fewest tokens used this minute.
/// </summary>
internal sealed class DeploymentSelector(DeploymentCooldown cooldown, DeploymentUsage usage)
{
    public async ValueTask<Selection> SelectAsync(ModelGroup group, RouterSettings settings, IReadOnlySet<Deployment>? excluded, GatewayCall call)
    {
        List<Deployment>? candidates = null;
        foreach (var deployment in group.Deployments)
        {
            if (deployment.UnusableReason is null && deployment.Provider is not null && excluded?.Contains(deployment) != true)
            {
                (candidates ??= new List<Deployment>(group.Deployments.Count)).Add(deployment);
            }
        }

        if (candidates is null)
        {
            return default;
        }

        var promptTokens = call.Fields.EstimatedPromptTokens;
        if (call.HasContextWindowFallbacks && promptTokens > 0)
        {
            // Pre-emptive: a prompt estimated beyond every deployment's max_input_tokens goes to the context-window fallbacks uncalled.
            candidates.RemoveAll(d => d.MaxInputTokens < promptTokens);
            if (candidates.Count == 0)
            {
                return new Selection(null, false, TimeSpan.Zero, TooLong: true);
            }
        }

        Dictionary<Deployment, (long Tokens, long Requests)>? used = null;
        if (settings.RoutingStrategy == RoutingStrategy.UsageBased && candidates.Count > 1)
        {
            var read = await usage.ReadAsync(candidates, call.Aborted);
            used = candidates.Select((d, i) => (d, read[i])).ToDictionary(x => x.d, x => x.Item2);
        }

        TimeSpan coolingWait = TimeSpan.MaxValue, limitWait = TimeSpan.MaxValue;
        while (candidates.Count > 0)
        {
            var index = settings.RoutingStrategy switch
            {
                RoutingStrategy.LeastBusy => LeastBusy(candidates),
                RoutingStrategy.LatencyBased => Fastest(candidates, call.Fields.Stream, settings.LowestLatencyBuffer),
                RoutingStrategy.UsageBased when used is not null => LeastUsed(candidates, used),
                _ => WeightedDraw(candidates),
            };
            var deployment = candidates[index];
            candidates.RemoveAt(index);
            var availability = await cooldown.CheckAsync(deployment, settings, call.Aborted);
            if (!availability.CanCall)
            {
                coolingWait = availability.Wait < coolingWait ? availability.Wait : coolingWait;
                continue;
            }

            var (admitted, wait, counted) = await usage.TryAdmitAsync(deployment, settings, promptTokens, call.Aborted);
            if (!admitted)
            {
                if (availability.IsProbe)
                {
                    await cooldown.ReleaseProbeAsync(deployment, call.Aborted);
                }

                limitWait = wait < limitWait ? wait : limitWait;
                continue;
            }

            return new Selection(deployment, availability.IsProbe, TimeSpan.Zero) { Counted = counted };
        }

        // Only limits in the way: the caller is told to come back next minute, as for a rate limit.
        return limitWait != TimeSpan.MaxValue && coolingWait == TimeSpan.MaxValue
            ? new Selection(null, false, limitWait, RateLimited: true)
            : new Selection(null, false, coolingWait == TimeSpan.MaxValue ? TimeSpan.Zero : coolingWait);
    }

    /// <summary>Gives back what choosing a deployment took (its half-open probe, its count this minute) for a call that will not be sent.</summary>
    public async ValueTask ReleaseAsync(Selection selection)
    {
        if (selection.Deployment is not { } deployment)
        {
            return;
        }

        if (selection.IsProbe)
        {
            await cooldown.ReleaseProbeAsync(deployment, CancellationToken.None);
        }

        if (selection.Counted is { } counted)
        {
            await usage.UncountAsync(counted);
        }
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

    /// <summary>A weighted draw among the candidates <paramref name="chosen"/> selects, as an index into <paramref name="candidates"/>.</summary>
    private static int DrawAmong(List<Deployment> candidates, Predicate<Deployment> chosen)
    {
        var among = candidates.FindAll(chosen);
        return candidates.IndexOf(among[WeightedDraw(among)]);
    }

    private static int LeastBusy(List<Deployment> candidates)
    {
        var fewest = int.MaxValue;
        foreach (var candidate in candidates)
        {
            fewest = Math.Min(fewest, candidate.InFlight);
        }

        return DrawAmong(candidates, c => c.InFlight == fewest);
    }

    private static int Fastest(List<Deployment> candidates, bool stream, double buffer)
    {
        if (candidates.Exists(c => double.IsNaN(c.Load.ExpectedSeconds(stream))))
        {
            return DrawAmong(candidates, c => double.IsNaN(c.Load.ExpectedSeconds(stream)));
        }

        var fastest = candidates.Min(c => c.Load.ExpectedSeconds(stream));
        var within = fastest * (1 + buffer);
        var near = candidates.FindAll(c => c.Load.ExpectedSeconds(stream) <= within);
        return candidates.IndexOf(near[Random.Shared.Next(near.Count)]);
    }

    private static int LeastUsed(List<Deployment> candidates, Dictionary<Deployment, (long Tokens, long Requests)> used)
    {
        var least = candidates.Min(c => used[c]);
        return DrawAmong(candidates, c => used[c] == least);
    }
}

/// <param name="Deployment">The deployment to call, or null when none can be called now.</param>
/// <param name="Wait">When none can be called: how long until the first cooldown ends, or the next minute for limits.</param>
/// <param name="RateLimited">None can be called because each has spent its <c>rpm</c>/<c>tpm</c> this minute.</param>
/// <param name="TooLong">The prompt is estimated longer than every deployment's <c>max_input_tokens</c>.</param>
internal readonly record struct Selection(Deployment? Deployment, bool IsProbe, TimeSpan Wait, bool RateLimited = false, bool TooLong = false)
{
    /// <summary>The deployment's request counter of this minute that the call was counted on, if any.</summary>
    public string? Counted { get; init; }
}
