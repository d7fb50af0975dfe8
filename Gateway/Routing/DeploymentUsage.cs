using System.Globalization;
using Gateway.Configuration;
using Gateway.Governance.Leases;
using Storage;
using Storage.Counters;

namespace Gateway.Routing;

/// <summary>
/// Requests and tokens per deployment in the current minute, shared by every replica through
/// <see cref="ISharedCounters"/> (Redis in the distributed shape): a deployment's <c>rpm</c> and <c>tpm</c> are
/// limits no replica lets a call exceed, and usage-based routing sends each call to the least used deployment.
/// Minutes are fixed (<c>HH:mm</c> buckets), as LiteLLM counts them.
/// </summary>
internal sealed partial class DeploymentUsage(ISharedCounters counters, CounterLeases leases, TimeProvider clock, ILogger<DeploymentUsage> logger)
{
    private static readonly TimeSpan BucketLife = TimeSpan.FromMinutes(2);

    /// <summary>Whether usage is counted for the deployment at all: it has a limit, or the routing reads usage.</summary>
    public static bool IsCounted(Deployment deployment, RouterSettings settings) =>
        deployment.Config.Params.Rpm is not null || deployment.Config.Params.Tpm is not null || settings.RoutingStrategy == RoutingStrategy.UsageBased;

    /// <summary>
    /// Counts the call against the deployment's minute, unless that would exceed its <c>rpm</c>, or its <c>tpm</c>
    /// would be exceeded by the prompt's estimated tokens; then says how long until the next minute.
    /// </summary>
    /// <returns>Also the minute's request counter the call was counted on, for <see cref="UncountAsync"/>; null when none was.</returns>
    public async ValueTask<(bool Admitted, TimeSpan Wait, string? Counted)> TryAdmitAsync(Deployment deployment, RouterSettings settings, int estimatedTokens,
        CancellationToken cancellationToken)
    {
        if (!IsCounted(deployment, settings))
        {
            return (true, TimeSpan.Zero, null);
        }

        var now = clock.GetUtcNow();
        var minute = Minute(now);
        try
        {
            // The minute's tokens are read while the request is counted (one round trip, not two); a call the tpm
            // turns away is taken off the count again.
            var rpmKey = Key("rpm", deployment, minute);
            var tokensRead = deployment.Config.Params.Tpm is null ? ValueTask.FromResult(0L) : counters.GetAsync(Key("tpm", deployment, minute), cancellationToken);
            var counting = CountRequestAsync(deployment, rpmKey, cancellationToken);
            long tokens;
            bool counted;
            try
            {
                tokens = await tokensRead;
            }
            finally
            {
                counted = await counting;
            }

            if (deployment.Config.Params.Tpm is { } tpm && tokens + estimatedTokens > tpm)
            {
                if (counted)
                {
                    await UncountAsync(rpmKey);
                }

                return (false, UntilNextMinute(now), null);
            }

            return counted ? (true, TimeSpan.Zero, rpmKey) : (false, UntilNextMinute(now), null);
        }
        catch (StorageUnavailableException exception)
        {
            // Limits are a protection, not a reason to fail calls while the counters are unreachable.
            LogCountersUnavailable(logger, exception.Message);
            return (true, TimeSpan.Zero, null);
        }
    }

    /// <summary>Counts a request in the minute: within the deployment's <c>rpm</c> when it has one (false when that is spent).</summary>
    private async ValueTask<bool> CountRequestAsync(Deployment deployment, string rpmKey, CancellationToken cancellationToken)
    {
        if (deployment.Config.Params.Rpm is { } rpm)
        {
            // From this replica's lease of the minute when it has one (the governance charges' leases, on Redis).
            return leases.Active
                ? (await leases.TryChargeAsync([CounterCharge.Value(rpmKey, 1, rpm, BucketLife)], cancellationToken)).Admitted
                : (await counters.TryReserveAsync(rpmKey, 1, rpm, BucketLife, cancellationToken)).Granted;
        }

        await counters.AddAsync(rpmKey, 1, BucketLife, cancellationToken);
        return true;
    }

    /// <summary>Takes back a call counted by <see cref="TryAdmitAsync"/> that was never sent (governance refused it).</summary>
    public async ValueTask UncountAsync(string counted)
    {
        try
        {
            await counters.AddAsync(counted, -1, BucketLife, CancellationToken.None);
        }
        catch (StorageUnavailableException exception)
        {
            // The call stays counted until its minute ends: the safe side.
            LogCountersUnavailable(logger, exception.Message);
        }
    }

    /// <summary>Adds the tokens a finished call used to the deployment's minute.</summary>
    public async ValueTask RecordTokensAsync(Deployment deployment, RouterSettings settings, int tokens, CancellationToken cancellationToken)
    {
        if (tokens <= 0 || (deployment.Config.Params.Tpm is null && settings.RoutingStrategy != RoutingStrategy.UsageBased))
        {
            return;
        }

        try
        {
            await counters.AddAsync(Key("tpm", deployment, Minute(clock.GetUtcNow())), tokens, BucketLife, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
        }
    }

    /// <summary>Tokens and requests of this minute for each deployment, read side by side.</summary>
    public async ValueTask<(long Tokens, long Requests)[]> ReadAsync(IReadOnlyList<Deployment> deployments, CancellationToken cancellationToken)
    {
        var minute = Minute(clock.GetUtcNow());
        try
        {
            var reads = deployments.Select(async d => (
                await counters.GetAsync(Key("tpm", d, minute), cancellationToken),
                await counters.GetAsync(Key("rpm", d, minute), cancellationToken))).ToArray();
            return await Task.WhenAll(reads);
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
            return new (long, long)[deployments.Count];
        }
    }

    private static string Minute(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static TimeSpan UntilNextMinute(DateTimeOffset now) => TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond);

    private static string Key(string kind, Deployment deployment, string minute) => $"gateway:deployment:{kind}:{deployment.Id}:{minute}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment usage counters are unavailable, routing without them: {Reason}")]
    private static partial void LogCountersUnavailable(ILogger logger, string reason);
}
