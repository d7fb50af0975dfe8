using Gateway.Governance.Leases;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Counters;

namespace Gateway.Governance;

/// <summary>
/// The counters governance charges, with the configured answer to a Redis outage: while Redis is unreachable the
/// charges go to this replica's own counters (<see cref="OutageBehaviour.Local"/>), are refused
/// (<see cref="OutageBehaviour.Reject"/>) or skipped (<see cref="OutageBehaviour.Allow"/>) — budgets and rate
/// limits each by their own setting. Redis is tried again in the background, so calls never wait on a dead server
/// after the first failure. On Redis, calls are admitted from this replica's leases where they can (<see cref="CounterLeases"/>).
/// </summary>
internal sealed partial class GovernanceCounters(
    ISharedCounters shared,
    [FromKeyedServices(SharedCountersExtensions.LocalFallback)] ISharedCounters local,
    CounterLeases leases,
    IOptions<GovernanceOptions> options,
    TimeProvider clock,
    ILogger<GovernanceCounters> logger)
{
    private const string ProbeKey = "gov:probe";
    private int _sharedDown;

    public bool SharedDown => Volatile.Read(ref _sharedDown) == 1;

    /// <summary>Charges every limit of a call at once, or says which one refused it.</summary>
    public async ValueTask<ChargeOutcome> TryChargeAsync(List<CounterCharge> charges, List<ChargedLimit> limits, CancellationToken cancellationToken)
    {
        if (!SharedDown)
        {
            try
            {
                var charged = leases.Active ? await leases.TryChargeAsync(charges, cancellationToken) : await shared.TryChargeAllAsync(charges, cancellationToken);
                return new ChargeOutcome(charged, charges, null, Local: false, Unavailable: false);
            }
            catch (StorageUnavailableException exception)
            {
                MarkDown(exception);
            }
        }

        var settings = options.Value;
        var kept = new List<CounterCharge>(charges.Count);
        var positions = new List<int>(charges.Count);
        for (var i = 0; i < charges.Count; i++)
        {
            var behaviour = limits[i].Kind == LimitKind.Budget ? settings.BudgetsWhenRedisDown : settings.RateLimitsWhenRedisDown;
            if (behaviour == OutageBehaviour.Reject)
            {
                return new ChargeOutcome(default, [], null, Local: true, Unavailable: true);
            }

            if (behaviour == OutageBehaviour.Local)
            {
                kept.Add(charges[i]);
                positions.Add(i);
            }
        }

        var result = await local.TryChargeAllAsync(kept, cancellationToken);
        return new ChargeOutcome(result.Admitted ? result : result with { Refused = positions[result.Refused] }, kept, positions, Local: true, Unavailable: false);
    }

    public async ValueTask AdjustAsync(IReadOnlyList<CounterCharge> adjustments, bool onLocal, CancellationToken cancellationToken)
    {
        if (onLocal)
        {
            await local.AdjustAllAsync(adjustments, cancellationToken);
            return;
        }

        try
        {
            await shared.AdjustAllAsync(adjustments, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            // Reservations made before the outage stay counted until their period ends: the safe side.
            MarkDown(exception);
        }
    }

    public async ValueTask<long?> GetAsync(string key, bool onLocal, CancellationToken cancellationToken)
    {
        try
        {
            return await (onLocal ? local : shared).GetAsync(key, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            MarkDown(exception);
            return null;
        }
    }

    /// <summary>Raises a flag unless it is up already: true for the one caller, of any replica, that raised it.</summary>
    public async ValueTask<bool> TryRaiseOnceAsync(string key, TimeSpan ttl, bool onLocal, CancellationToken cancellationToken)
    {
        try
        {
            var reservation = await (onLocal ? local : shared).TryReserveAsync(key, 1, 1, ttl, cancellationToken);
            return reservation.Granted;
        }
        catch (StorageUnavailableException exception)
        {
            MarkDown(exception);
            return false;
        }
    }

    private void MarkDown(StorageUnavailableException exception)
    {
        if (Interlocked.Exchange(ref _sharedDown, 1) == 1)
        {
            return;
        }

        var settings = options.Value;
        LogSharedDown(logger, settings.BudgetsWhenRedisDown, settings.RateLimitsWhenRedisDown, exception.Message);
        _ = Task.Run(ProbeUntilBackAsync);
    }

    private async Task ProbeUntilBackAsync()
    {
        while (true)
        {
            await Task.Delay(options.Value.RedisRetryInterval, clock);
            try
            {
                await shared.GetAsync(ProbeKey, CancellationToken.None);
                Volatile.Write(ref _sharedDown, 0);
                LogSharedBack(logger);
                return;
            }
            catch (StorageUnavailableException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared counters (Redis) unreachable: budgets {Budgets}, rate limits {RateLimits} until it is back ({Reason})")]
    private static partial void LogSharedDown(ILogger logger, OutageBehaviour budgets, OutageBehaviour rateLimits, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared counters (Redis) reachable again: budgets and rate limits are shared across replicas again")]
    private static partial void LogSharedBack(ILogger logger);
}

/// <param name="Charged">The charges actually made (on <paramref name="Local"/> counters), to settle later.</param>
/// <param name="Kept">Where <paramref name="Charged"/> came from in the charges asked for, when some were skipped; null when all were made.</param>
/// <param name="Unavailable">Redis is unreachable and the configuration says to refuse such calls.</param>
internal readonly record struct ChargeOutcome(ChargeResult Result, IReadOnlyList<CounterCharge> Charged, IReadOnlyList<int>? Kept, bool Local, bool Unavailable);
