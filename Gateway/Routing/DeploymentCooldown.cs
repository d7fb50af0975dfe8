using System.Collections.Concurrent;
using Gateway.Configuration;
using Storage;
using Storage.Counters;

namespace Gateway.Routing;

/// <summary>
/// A circuit breaker per deployment, shared by every replica through <see cref="ISharedCounters"/>: more than
/// <c>allowed_fails</c> failures within a minute cool the deployment down for <c>cooldown_time</c> (or the
/// upstream's longer <c>Retry-After</c>); after that one probe call is let through (half-open) and its success
/// puts the deployment back in rotation, its failure cools it down again.
/// </summary>
/// <remarks>
/// Each replica routes on what it last read: for up to <see cref="StateRefresh"/> as it is, then (up to
/// <see cref="LongestStale"/>) while one read in the background refreshes it, so no call waits on Redis for a state
/// it has; failures are written through at once. Another replica's cooldown is seen within that time and the
/// refresh's round trip of a call.
/// </remarks>
internal sealed partial class DeploymentCooldown(ISharedCounters counters, TimeProvider clock, ILogger<DeploymentCooldown> logger)
{
    public static readonly TimeSpan StateRefresh = TimeSpan.FromSeconds(1);

    /// <summary>The oldest state a call routes on while it is refreshed; an older one (no calls for a while) is read before the call goes on.</summary>
    public static readonly TimeSpan LongestStale = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TrippedMemory = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _refreshing = new(StringComparer.Ordinal);

    public async ValueTask<Availability> CheckAsync(Deployment deployment, RouterSettings settings, CancellationToken cancellationToken)
    {
        if (settings.CooldownTime <= TimeSpan.Zero)
        {
            return Availability.Available;
        }

        var now = clock.GetUtcNow();
        var state = await ReadAsync(deployment, now, cancellationToken);
        if (state.CoolingUntil > now)
        {
            return Availability.Cooling(state.CoolingUntil - now);
        }

        if (!state.Tripped)
        {
            return Availability.Available;
        }

        try
        {
            var probeTime = deployment.Timeout < MaxProbeTime ? deployment.Timeout : MaxProbeTime;
            var probe = await counters.TryReserveAsync(Key("probe", deployment), 1, 1, probeTime, cancellationToken);
            return probe.Granted ? Availability.Probe : Availability.Cooling(StateRefresh);
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
            return Availability.Available;
        }
    }

    /// <summary>How much longer <paramref name="deployment"/> is out of rotation (null: it is in) and whether its next call is a probe; changes nothing.</summary>
    public async ValueTask<(TimeSpan? CoolingFor, bool Tripped)> PeekAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var state = await ReadAsync(deployment, now, cancellationToken);
        return (state.CoolingUntil > now ? state.CoolingUntil - now : null, state.Tripped);
    }

    public async ValueTask ReportSuccessAsync(Deployment deployment, bool wasProbe, CancellationToken cancellationToken)
    {
        if (!wasProbe)
        {
            return;
        }

        try
        {
            var tripped = await counters.GetAsync(Key("tripped", deployment), cancellationToken);
            await counters.AddAsync(Key("tripped", deployment), -tripped, TrippedMemory, cancellationToken);
            await counters.AddAsync(Key("probe", deployment), -1, MaxProbeTime, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
        }

        _states[deployment.Id] = new State(clock.GetUtcNow(), DateTimeOffset.MinValue, Tripped: false);
        LogRecovered(logger, deployment.Id);
    }

    /// <summary>Gives back a probe that was granted but not used (the deployment was skipped for its limits), so another call may probe.</summary>
    public async ValueTask ReleaseProbeAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        try
        {
            await counters.AddAsync(Key("probe", deployment), -1, MaxProbeTime, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
        }
    }

    public async ValueTask ReportFailureAsync(Deployment deployment, bool wasProbe, TimeSpan? retryAfter, RouterSettings settings, CancellationToken cancellationToken)
    {
        if (settings.CooldownTime <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            if (wasProbe)
            {
                await counters.AddAsync(Key("probe", deployment), -1, MaxProbeTime, cancellationToken);
                await TripAsync(deployment, settings, retryAfter, "its probe call failed", cancellationToken);
                return;
            }

            var admission = await counters.TryAddToWindowAsync(Key("fails", deployment), 1, settings.AllowedFails, FailureWindow, cancellationToken);
            if (!admission.Admitted)
            {
                await TripAsync(deployment, settings, retryAfter, $"more than {settings.AllowedFails} failures within a minute", cancellationToken);
            }
        }
        catch (StorageUnavailableException exception)
        {
            LogCountersUnavailable(logger, exception.Message);
        }
    }

    private async ValueTask TripAsync(Deployment deployment, RouterSettings settings, TimeSpan? retryAfter, string reason, CancellationToken cancellationToken)
    {
        var duration = retryAfter > settings.CooldownTime ? retryAfter.Value : settings.CooldownTime;
        await counters.SetFlagAsync(Key("cooling", deployment), duration, cancellationToken);
        await counters.AddAsync(Key("tripped", deployment), 1, duration + TrippedMemory, cancellationToken);
        var now = clock.GetUtcNow();
        _states[deployment.Id] = new State(now, now + duration, Tripped: true);
        LogCooledDown(logger, deployment.Id, duration.TotalSeconds, reason);
    }

    private async ValueTask<State> ReadAsync(Deployment deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_states.TryGetValue(deployment.Id, out var known) && now - known.ReadAt < LongestStale)
        {
            if (now - known.ReadAt >= StateRefresh && _refreshing.TryAdd(deployment.Id, 0))
            {
                _ = RefreshAsync(deployment, known);
            }

            return known;
        }

        return await FetchAsync(deployment, now, known, cancellationToken);
    }

    private async Task RefreshAsync(Deployment deployment, State known)
    {
        try
        {
            await FetchAsync(deployment, clock.GetUtcNow(), known, CancellationToken.None);
        }
        finally
        {
            _refreshing.TryRemove(deployment.Id, out _);
        }
    }

    private async ValueTask<State> FetchAsync(Deployment deployment, DateTimeOffset now, State? known, CancellationToken cancellationToken)
    {
        try
        {
            // Both reads go out together: a call that refreshes the state waits one round trip, not two.
            var coolingRead = counters.GetFlagAsync(Key("cooling", deployment), cancellationToken);
            var trippedRead = counters.GetAsync(Key("tripped", deployment), cancellationToken);
            var cooling = await coolingRead;
            var tripped = await trippedRead > 0;
            var state = new State(now, cooling is { } remaining ? now + remaining : DateTimeOffset.MinValue, tripped);
            // A failure or recovery this replica wrote while the read was out is newer than what the read saw.
            return _states.AddOrUpdate(deployment.Id, state, (_, current) => current.ReadAt > now ? current : state);
        }
        catch (StorageUnavailableException exception)
        {
            // Routing carries on without shared state rather than failing calls.
            LogCountersUnavailable(logger, exception.Message);
            return known ?? new State(now, DateTimeOffset.MinValue, Tripped: false);
        }
    }

    private static string Key(string kind, Deployment deployment) => $"gateway:deployment:{kind}:{deployment.Id}";

    private sealed record State(DateTimeOffset ReadAt, DateTimeOffset CoolingUntil, bool Tripped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment} cooled down for {Seconds} s: {Reason}")]
    private static partial void LogCooledDown(ILogger logger, string deployment, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment} answered its probe call and is back in rotation")]
    private static partial void LogRecovered(ILogger logger, string deployment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cooldown state is unavailable, routing without it: {Reason}")]
    private static partial void LogCountersUnavailable(ILogger logger, string reason);
}

/// <summary>Whether a deployment may be called now: yes, yes as the half-open probe, or not for a while.</summary>
internal readonly record struct Availability(bool CanCall, bool IsProbe, TimeSpan Wait)
{
    public static Availability Available { get; } = new(true, false, TimeSpan.Zero);
    public static Availability Probe { get; } = new(true, true, TimeSpan.Zero);

    public static Availability Cooling(TimeSpan wait) => new(false, false, wait);
}
