using Storage.TraceStore;
using Storage.TraceStore.Summaries;

namespace TraceIngest.Worker;

/// <summary>
/// Keeps the <c>trace_summaries</c> of the traces a round touches in step with the rows it writes. Where this
/// process's worker is the store's only one (the embedded store, not served to other processes) the summaries are
/// computed in process from the round's merged rows and the stored versions of the traces' other observations, and
/// written with the rows; elsewhere several workers may write one trace at once, so each recomputes the touched
/// summaries on the server after its write (<see cref="TraceSummaryWriter"/>).
/// </summary>
/// <remarks>
/// An in-process summary is stamped with the server's clock taken before the round read anything, as a recompute is
/// stamped when it starts reading: a recompute that starts later (a deletion's) wins, and so does the next round.
/// </remarks>
public sealed class WorkerTraceSummaries(ClickHouseTraceStore store, TraceSummaryWriter recompute, TraceSummaryInputs inputs, StoredEntityIds storedIds)
{
    public bool InProcess => store.IsPrivateToProcess;

    /// <summary>The version for the round's in-process summaries; call before the round's first read.</summary>
    public Task<DateTime> VersionAsync(CancellationToken cancellationToken) => inputs.ServerClockAsync(cancellationToken);

    /// <summary>
    /// The summaries of the traces of one project that its merged rows touch, as they will be after the write;
    /// <paramref name="lookedUp"/> hears how many ids of each kind it read from the store.
    /// </summary>
    public async Task<List<TraceSummary>> ComputeAsync(string projectId, IReadOnlyList<TraceRow> traces, IReadOnlyList<ObservationRow> observations, Action<StoredIdKind, int> lookedUp, CancellationToken cancellationToken)
    {
        var merged = new Dictionary<string, TraceRow>(traces.Count, StringComparer.Ordinal);
        foreach (var trace in traces)
        {
            merged[trace.Id] = trace;
        }

        var touched = new HashSet<string>(merged.Keys, StringComparer.Ordinal);
        var mergedObservations = new HashSet<string>(observations.Count, StringComparer.Ordinal);
        foreach (var observation in observations)
        {
            touched.Add(observation.TraceId);
            mergedObservations.Add(observation.Id);
        }

        // Only what the store may hold: a new trace has no row yet, and a trace no observation was written for has none stored.
        var unmerged = touched.Where(id => !merged.ContainsKey(id) && storedIds.MayHold(StoredIdKind.Trace, projectId, id)).ToList();
        var withStoredObservations = touched.Where(id => storedIds.MayHold(StoredIdKind.TraceWithObservations, projectId, id)).ToList();
        lookedUp(StoredIdKind.Trace, unmerged.Count);
        lookedUp(StoredIdKind.TraceWithObservations, withStoredObservations.Count);
        // Side by side on pool threads: the embedded engine runs a statement before its task returns.
        var readTraces = unmerged.Count == 0 ? Task.FromResult(new Dictionary<string, SummaryTrace>()) : Task.Run(() => inputs.ReadTracesAsync(projectId, unmerged, cancellationToken), cancellationToken);
        var readObservations = withStoredObservations.Count == 0 ? Task.FromResult(new List<SummaryObservation>()) : Task.Run(() => inputs.ReadObservationsAsync(projectId, withStoredObservations, cancellationToken), cancellationToken);
        await Task.WhenAll(readTraces, readObservations);

        var byTrace = new Dictionary<string, List<SummaryObservation>>(touched.Count, StringComparer.Ordinal);
        foreach (var stored in await readObservations)
        {
            // The round's own version of an observation replaces the stored one.
            if (!mergedObservations.Contains(stored.Id))
            {
                ObservationsOf(byTrace, stored.TraceId).Add(stored);
            }
        }

        foreach (var observation in observations)
        {
            ObservationsOf(byTrace, observation.TraceId).Add(new SummaryObservation(
                observation.Id, observation.TraceId, observation.StartTime, observation.EndTime, observation.UsageDetails, observation.TotalCost, observation.Level, IsDeleted: false));
        }

        var storedTraces = await readTraces;
        var summaries = new List<TraceSummary>(touched.Count);
        foreach (var traceId in touched)
        {
            // Like the recompute: a trace without a row (its observations came first) has no summary yet.
            var trace = merged.TryGetValue(traceId, out var row)
                ? new SummaryTrace(row.Id, row.Timestamp, row.UserId, row.SessionId, IsDeleted: false)
                : storedTraces.GetValueOrDefault(traceId);
            if (trace is not null)
            {
                summaries.Add(TraceSummary.Of(projectId, trace, byTrace.GetValueOrDefault(traceId) ?? []));
            }
        }

        return summaries;
    }

    public Task WriteAsync(IReadOnlyCollection<TraceSummary> summaries, DateTime version, CancellationToken cancellationToken) =>
        inputs.WriteAsync(summaries, version, cancellationToken);

    /// <summary>Recomputes on the server the summaries of the traces just written (after the write, never before).</summary>
    public async Task RecomputeAsync(IEnumerable<TraceRow> traces, IEnumerable<ObservationRow> observations, CancellationToken cancellationToken)
    {
        var touched = traces.Select(t => (t.ProjectId, TraceId: t.Id)).Concat(observations.Select(o => (o.ProjectId, o.TraceId)));
        foreach (var project in touched.GroupBy(t => t.ProjectId, StringComparer.Ordinal))
        {
            await recompute.RecomputeAsync(project.Key, project.Select(t => t.TraceId).ToList(), cancellationToken);
        }
    }

    private static List<SummaryObservation> ObservationsOf(Dictionary<string, List<SummaryObservation>> byTrace, string traceId)
    {
        if (!byTrace.TryGetValue(traceId, out var list))
        {
            list = [];
            byTrace[traceId] = list;
        }

        return list;
    }
}
