using System.Collections.Concurrent;
using Gateway.Routing;
using Microsoft.Extensions.Options;
using Storage.Counters;

namespace Gateway.Governance.RateLimits;

/// <summary>
/// A deployment's <c>rpm</c> and <c>tpm</c> as limits every replica shares (with
/// <see cref="GovernanceOptions.EnforceDeploymentLimits"/>): routing asks before each attempt, so a deployment at its
/// limit is passed over for another of its group; settlement adds the tokens a call used.
/// </summary>
internal sealed class DeploymentRateLimits(GovernanceCounters counters, IOptions<GovernanceOptions> options)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Deployment, LimitHolder> _holders = new();

    public bool Applies(Deployment deployment) =>
        options.Value.EnforceDeploymentLimits && (deployment.Config.Params.Rpm is not null || deployment.Config.Params.Tpm is not null);

    /// <summary>Takes one call from the deployment's rpm window if its rpm and tpm windows have room; else says when they will.</summary>
    public async ValueTask<(bool Admitted, TimeSpan RetryAfter)> TryTakeAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (!Applies(deployment))
        {
            return (true, TimeSpan.Zero);
        }

        var charges = new List<CounterCharge>(2);
        var limits = new List<ChargedLimit>(2);
        GovernanceGate.AddRateCharges(Holder(deployment), charges, limits);
        var outcome = await counters.TryChargeAsync(charges, limits, cancellationToken);
        return outcome.Unavailable || outcome.Result.Admitted ? (true, TimeSpan.Zero) : (false, outcome.Result.RetryAfter);
    }

    /// <summary>The adjustment that adds a call's tokens to its deployment's tpm window, or null when none applies.</summary>
    public CounterCharge? TokensUsed(Deployment deployment, int tokens) =>
        tokens > 0 && Applies(deployment) && deployment.Config.Params.Tpm is not null
            ? CounterCharge.Window(Holder(deployment).TpmKey, tokens, long.MaxValue, Minute)
            : null;

    private LimitHolder Holder(Deployment deployment) => _holders.GetOrAdd(deployment, d =>
        new LimitHolder(HolderKind.Deployment, d.Id, d.Id, null, null, null, null, 0, d.Config.Params.Rpm, d.Config.Params.Tpm, null));
}
