using System.IO.Hashing;
using System.Runtime.InteropServices;
using Storage.TraceStore;

namespace TraceIngest.Worker;

/// <summary>What a stored-id question is about: an entity's own row, or the observations stored for a trace.</summary>
public enum StoredIdKind : byte
{
    Trace,
    Observation,
    Score,
    TraceWithObservations,
}

/// <summary>
/// Which ids the trace store may hold rows for, so the worker reads stored rows only for entities that can have
/// them: a round of new traces otherwise reads the id columns of the whole growing tables (a few thousand ids in
/// one <c>IN</c> select nearly every granule, by key and by bloom index alike). "No" is exact, "maybe" is a read.
/// </summary>
/// <remarks>
/// Kept only where this process's worker is the store's one writer (<see cref="ClickHouseTraceStore.IsPrivateToProcess"/>):
/// loaded once from the store's rows before the first round reads anything, then every id a round merges is added
/// before that round is written. Deletions write versions of rows that exist, so they add nothing new. Elsewhere
/// other workers write too, and every answer is "maybe".
/// </remarks>
public sealed class StoredEntityIds(ClickHouseTraceStore store)
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _lock = new();
    private GrowingBloomFilter? _ids;

    /// <summary>Whether answers can be "no": the store is this process's alone and its ids are loaded.</summary>
    public bool IsLoaded => Volatile.Read(ref _ids) is not null;

    /// <summary>Whether the ids are kept at all (the store is this process's alone).</summary>
    public bool IsKept => store.IsPrivateToProcess;

    /// <summary>
    /// Reads every id in the store once. Call with nothing in flight that the store does not hold yet: a round
    /// written while this reads would be missing.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!IsKept || IsLoaded)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (IsLoaded)
            {
                return;
            }

            var rows = Convert.ToInt64(await store.Client.ExecuteScalarAsync(
                "SELECT (SELECT count() FROM traces) + 2 * (SELECT count() FROM observations) + (SELECT count() FROM scores)", cancellationToken: cancellationToken));
            var ids = new GrowingBloomFilter((int)Math.Min(int.MaxValue / 2, rows));
            await AddAllAsync(ids, "SELECT project_id, id, '' FROM traces", StoredIdKind.Trace, null, cancellationToken);
            await AddAllAsync(ids, "SELECT project_id, id, trace_id FROM observations", StoredIdKind.Observation, StoredIdKind.TraceWithObservations, cancellationToken);
            await AddAllAsync(ids, "SELECT project_id, id, '' FROM scores", StoredIdKind.Score, null, cancellationToken);
            Volatile.Write(ref _ids, ids);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>False only when no row of that kind and id was ever written to the store.</summary>
    public bool MayHold(StoredIdKind kind, string projectId, string id)
    {
        if (Volatile.Read(ref _ids) is not { } ids)
        {
            return true;
        }

        lock (_lock)
        {
            return ids.MayContain(Hash(kind, projectId, id));
        }
    }

    /// <summary>Remembers a round's merged rows; call before they are written, never after.</summary>
    public void Add(string projectId, IEnumerable<TraceRow> traces, IEnumerable<ObservationRow> observations, IEnumerable<ScoreRow> scores)
    {
        if (Volatile.Read(ref _ids) is not { } ids)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var trace in traces)
            {
                ids.Add(Hash(StoredIdKind.Trace, projectId, trace.Id));
            }

            foreach (var observation in observations)
            {
                ids.Add(Hash(StoredIdKind.Observation, projectId, observation.Id));
                ids.Add(Hash(StoredIdKind.TraceWithObservations, projectId, observation.TraceId));
            }

            foreach (var score in scores)
            {
                ids.Add(Hash(StoredIdKind.Score, projectId, score.Id));
            }
        }
    }

    private async Task AddAllAsync(GrowingBloomFilter ids, string sql, StoredIdKind kind, StoredIdKind? thirdColumnKind, CancellationToken cancellationToken)
    {
        using var reader = await store.Client.ExecuteReaderAsync(sql, cancellationToken: cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var projectId = reader.GetString(0);
            ids.Add(Hash(kind, projectId, reader.GetString(1)));
            if (thirdColumnKind is { } third)
            {
                ids.Add(Hash(third, projectId, reader.GetString(2)));
            }
        }
    }

    private static UInt128 Hash(StoredIdKind kind, string projectId, string id)
    {
        // The project's hash seeds the id's: no separator can be confused with a character of either.
        var project = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(projectId.AsSpan()), (long)kind);
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(id.AsSpan()), (long)project);
    }
}
