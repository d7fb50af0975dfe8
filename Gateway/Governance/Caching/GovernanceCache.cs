using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Invalidation;
using Storage.Governance;
using Storage.Relational;

namespace Gateway.Governance.Caching;

/// <summary>
/// Keys, teams and users held in memory so that a call costs no database round trip. An entry is read once, then
/// served for <see cref="GovernanceOptions.CacheRefreshInterval"/> and refreshed in the background while the stale
/// copy keeps serving — so a database outage leaves every known key working. A change made through the management
/// API of any replica is announced on the <see cref="IInvalidationChannel"/> and dropped everywhere at once.
/// </summary>
internal sealed partial class GovernanceCache(
    IServiceScopeFactory scopes,
    IInvalidationChannel channel,
    GovernanceAnnouncer announcer,
    IOptions<GovernanceOptions> options,
    TimeProvider clock,
    ILogger<GovernanceCache> logger) : IHostedService
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<object?>>> _loads = new(StringComparer.Ordinal);
    private long _epoch;
    private int _storeDown;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        announcer.RegisterLocalCache(Invalidate);
        await channel.SubscribeAsync(Invalidate, Reset, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The cached value of <paramref name="name"/>, loaded with <paramref name="load"/> when absent (null: the store
    /// has no such entry). Throws <see cref="StorageUnavailableException"/> only when the entry was never read and
    /// the store cannot be reached.
    /// </summary>
    public ValueTask<T?> GetAsync<T>(string name, Func<PlatformDbContext, CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
        where T : class
    {
        if (_entries.TryGetValue(name, out var entry))
        {
            var age = clock.GetElapsedTime(entry.LoadedAt);
            if (entry.Value is not null)
            {
                if (age >= options.Value.CacheRefreshInterval)
                {
                    RefreshInBackground(name, entry, load);
                }

                return ValueTask.FromResult((T?)entry.Value);
            }

            if (age < options.Value.UnknownEntryCacheTime)
            {
                return ValueTask.FromResult<T?>(null);
            }
        }

        return LoadAsync(name, load, cancellationToken);
    }

    /// <summary>Drops entries here and tells every other replica to drop them too.</summary>
    public ValueTask AnnounceAsync(IEnumerable<string> names, CancellationToken cancellationToken) =>
        announcer.AnnounceAsync(names, cancellationToken);

    public void Invalidate(string name)
    {
        Interlocked.Increment(ref _epoch);
        _entries.TryRemove(name, out _);
    }

    public void Reset()
    {
        Interlocked.Increment(ref _epoch);
        _entries.Clear();
    }

    private async ValueTask<T?> LoadAsync<T>(string name, Func<PlatformDbContext, CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
        where T : class
    {
        var loading = _loads.GetOrAdd(name, key => new Lazy<Task<object?>>(() => LoadAndStoreAsync(key, load)));
        try
        {
            return (T?)await loading.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _loads.TryRemove(new KeyValuePair<string, Lazy<Task<object?>>>(name, loading));
        }
    }

    private async Task<object?> LoadAndStoreAsync<T>(string name, Func<PlatformDbContext, CancellationToken, Task<T?>> load)
        where T : class
    {
        var epoch = Interlocked.Read(ref _epoch);
        T? value;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            value = await load(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), CancellationToken.None);
        }
        catch (Exception exception) when (RelationalFailures.IsUnavailable(exception))
        {
            NoteStoreDown(exception);
            throw new StorageUnavailableException(RelationalStoreExtensions.Seam, "relational", exception.Message, exception);
        }

        NoteStoreUp();
        // A change announced while this read was under way may not be in what it read: serve it once, keep nothing.
        if (Interlocked.Read(ref _epoch) == epoch)
        {
            _entries[name] = new Entry(value, clock.GetTimestamp());
        }

        return value;
    }

    private void RefreshInBackground<T>(string name, Entry stale, Func<PlatformDbContext, CancellationToken, Task<T?>> load)
        where T : class
    {
        if (Interlocked.Exchange(ref stale.Refreshing, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await LoadAsync(name, load, CancellationToken.None);
            }
            catch (StorageUnavailableException)
            {
                // Keep serving what was read last; try again a little later rather than on every call.
                var retryAt = clock.GetTimestamp() - (long)((options.Value.CacheRefreshInterval - RetryAfterFailure).TotalSeconds * clock.TimestampFrequency);
                _entries.TryUpdate(name, new Entry(stale.Value, retryAt), stale);
            }
        });
    }

    private void NoteStoreDown(Exception exception)
    {
        if (Interlocked.Exchange(ref _storeDown, 1) == 0)
        {
            LogStoreDown(logger, exception.Message);
        }
    }

    private void NoteStoreUp()
    {
        if (Interlocked.Exchange(ref _storeDown, 0) == 1)
        {
            LogStoreUp(logger);
        }
    }

    private sealed class Entry(object? value, long loadedAt)
    {
        public object? Value { get; } = value;

        public long LoadedAt { get; } = loadedAt;

        public int Refreshing;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relational store unreachable: keys, teams and users already cached keep working, others cannot be checked ({Reason})")]
    private static partial void LogStoreDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relational store reachable again")]
    private static partial void LogStoreUp(ILogger logger);
}
