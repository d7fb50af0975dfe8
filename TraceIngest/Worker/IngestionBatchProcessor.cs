using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storage.Blobs;
using Storage.Pricing;
using Storage.TraceStore.Summaries;
using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>
/// Turns stored batches into rows: loads each batch, groups its events by entity, reads the current rows of the
/// entities the store may hold (<see cref="StoredEntityIds"/>), merges, and writes the new versions in one insert per
/// table. Safe to run again on the same batches.
/// </summary>
public sealed partial class IngestionBatchProcessor(
    IBlobStore blobs,
    TraceRowStore rows,
    StoredEntityIds storedIds,
    WorkerTraceSummaries summaries,
    IngestionEventMerger merger,
    ProjectModelPrices projectPrices,
    IOptions<IngestionOptions> ingestion,
    TimeProvider clock,
    ILogger<IngestionBatchProcessor> logger)
{
    /// <summary>The stored document wraps each body in three levels: the batch, its events array, the event.</summary>
    private const int EnvelopeDepth = 3;

    /// <summary>Prepares and writes one round on its own: nothing else in flight.</summary>
    public async Task<int> ProcessAsync(IReadOnlyList<IngestionBatchReference> references, CancellationToken cancellationToken)
    {
        var round = await PrepareAsync(references, writing: null, cancellationToken);
        return await WriteAsync(round, cancellationToken);
    }

    /// <summary>
    /// Loads, reads and merges a round while <paramref name="writing"/> (if any) is written. It reads nothing the
    /// other writes before that is written: a shared entity waits for it before the reads, a shared trace before the
    /// summaries; disjoint rounds do not wait.
    /// </summary>
    public async Task<PreparedRound> PrepareAsync(IReadOnlyList<IngestionBatchReference> references, RoundInFlight? writing, CancellationToken cancellationToken)
    {
        var loading = Stopwatch.StartNew();
        var loaded = await Task.WhenAll(references.Select(reference => LoadAsync(reference, cancellationToken)));
        IngestionWorkerMetrics.Record("load", loading.Elapsed);
        try
        {
            return await PrepareAsync(loaded.Select(l => l.Events).ToArray(), writing, cancellationToken);
        }
        finally
        {
            // The events' bodies are views into these documents; the merged rows hold copies.
            foreach (var (document, _) in loaded)
            {
                document?.Dispose();
            }
        }
    }

    private async Task<PreparedRound> PrepareAsync(List<(string ProjectId, StoredEvent Event)>[] batches, RoundInFlight? writing, CancellationToken cancellationToken)
    {
        var projects = batches.SelectMany(b => b).GroupBy(e => e.ProjectId, StringComparer.Ordinal)
            .Select(p => (ProjectId: p.Key, Events: p.Count(), Entities: p.GroupBy(e => (e.Event.Type.Entity, e.Event.EntityId)).ToList()))
            .ToList();
        var footprint = new RoundFootprint();
        foreach (var project in projects)
        {
            foreach (var entity in project.Entities)
            {
                footprint.AddEntity(project.ProjectId, entity.Key.Entity, entity.Key.EntityId);
            }
        }

        var merging = Stopwatch.StartNew();
        var waiting = new Stopwatch();
        if (writing is not null && (writing.Footprint is null || footprint.SharesEntityWith(writing.Footprint)))
        {
            await WaitForAsync(writing, waiting);
            writing = null;
        }

        var reading = new Stopwatch();
        if (storedIds.IsKept && !storedIds.IsLoaded)
        {
            // The ids are read from the store once: a round still being written must be in it by then.
            if (writing is not null)
            {
                await WaitForAsync(writing, waiting);
                writing = null;
            }

            reading.Start();
            await storedIds.LoadAsync(cancellationToken);
            reading.Stop();
        }

        var round = new PreparedRound(footprint);
        var summarizing = new Stopwatch();
        var now = clock.GetUtcNow().UtcDateTime;

        summarizing.Start();
        round.SummaryVersion = summaries.InProcess ? await summaries.VersionAsync(cancellationToken) : default;
        summarizing.Stop();

        foreach (var (projectId, events, byEntity) in projects)
        {
            round.Events += events;
            var traceIds = StoredIdsOf(byEntity, projectId, IngestionEntity.Trace, StoredIdKind.Trace);
            var observationIds = StoredIdsOf(byEntity, projectId, IngestionEntity.Observation, StoredIdKind.Observation);
            var scoreIds = StoredIdsOf(byEntity, projectId, IngestionEntity.Score, StoredIdKind.Score);
            var mergesObservations = byEntity.Any(g => g.Key.Entity == IngestionEntity.Observation);
            round.AddLookups(StoredIdKind.Trace, traceIds.Count);
            round.AddLookups(StoredIdKind.Observation, observationIds.Count);
            round.AddLookups(StoredIdKind.Score, scoreIds.Count);
            // Three tables, three connections: the reads run side by side, each on a pool thread, because the
            // embedded engine runs a statement before its task returns.
            reading.Start();
            var readTraces = traceIds.Count == 0 ? Task.FromResult(new Dictionary<string, TraceRow>()) : Task.Run(() => rows.ReadTracesAsync(projectId, traceIds, cancellationToken), cancellationToken);
            var readObservations = observationIds.Count == 0 ? Task.FromResult(new Dictionary<string, ObservationRow>()) : Task.Run(() => rows.ReadObservationsAsync(projectId, observationIds, cancellationToken), cancellationToken);
            var readScores = scoreIds.Count == 0 ? Task.FromResult(new Dictionary<string, ScoreRow>()) : Task.Run(() => rows.ReadScoresAsync(projectId, scoreIds, cancellationToken), cancellationToken);
            var readPrices = !mergesObservations ? Task.FromResult<IReadOnlyList<ModelPrice>>([]) : projectPrices.ForProjectAsync(projectId, cancellationToken);
            await Task.WhenAll(readTraces, readObservations, readScores, readPrices);
            reading.Stop();
            var prices = await readPrices;
            var (storedTraces, storedObservations, storedScores) = (await readTraces, await readObservations, await readScores);

            var (firstTrace, firstObservation, firstScore) = (round.Traces.Count, round.Observations.Count, round.Scores.Count);
            foreach (var entity in byEntity)
            {
                var entityEvents = entity.Select(e => e.Event);
                switch (entity.Key.Entity)
                {
                    case IngestionEntity.Trace:
                        round.Traces.Add(merger.MergeTrace(storedTraces.GetValueOrDefault(entity.Key.EntityId), projectId, entity.Key.EntityId, entityEvents, now));
                        break;
                    case IngestionEntity.Observation:
                        round.Observations.Add(merger.MergeObservation(storedObservations.GetValueOrDefault(entity.Key.EntityId), projectId, entity.Key.EntityId, entityEvents, prices, now));
                        break;
                    default:
                        round.Scores.Add(IngestionEventMerger.MergeScore(storedScores.GetValueOrDefault(entity.Key.EntityId), projectId, entity.Key.EntityId, entityEvents, now));
                        break;
                }
            }

            var (projectTraces, projectObservations) = (round.Traces[firstTrace..], round.Observations[firstObservation..]);
            footprint.AddTraces(projectId, projectTraces, projectObservations);
            if (summaries.InProcess)
            {
                // An observation's trace is known once merged: the summary reads that trace's stored observations.
                if (writing?.Footprint is { } other && footprint.SharesTraceWith(other, projectId))
                {
                    await WaitForAsync(writing, waiting);
                    writing = null;
                }

                summarizing.Start();
                round.Summaries.AddRange(await summaries.ComputeAsync(projectId, projectTraces, projectObservations, round.AddLookups, cancellationToken));
                summarizing.Stop();
            }

            // After this project's reads (so they are not asked about the round's own rows), before the write.
            storedIds.Add(projectId, projectTraces, projectObservations, round.Scores[firstScore..]);
        }

        // Reads, merges, summaries and waits alternate per project: the merge stage is what is left of the others.
        IngestionWorkerMetrics.Record("read", reading.Elapsed);
        IngestionWorkerMetrics.Record("merge", merging.Elapsed - reading.Elapsed - summarizing.Elapsed - waiting.Elapsed);
        if (summaries.InProcess)
        {
            IngestionWorkerMetrics.Record("summarize", summarizing.Elapsed);
        }

        if (waiting.ElapsedTicks > 0)
        {
            IngestionWorkerMetrics.Record("wait", waiting.Elapsed);
        }

        IngestionWorkerMetrics.LookedUp(round.LookedUp);

        return round;
    }

    /// <summary>Writes a prepared round's rows and summaries; how many events they came from.</summary>
    public async Task<int> WriteAsync(PreparedRound round, CancellationToken cancellationToken)
    {
        var writing = Stopwatch.StartNew();
        await Task.WhenAll(
            rows.WriteAsync(round.Traces, round.Observations, round.Scores, cancellationToken),
            Task.Run(() => summaries.WriteAsync(round.Summaries, round.SummaryVersion, cancellationToken), cancellationToken));
        IngestionWorkerMetrics.Record("write", writing.Elapsed);

        if (!summaries.InProcess)
        {
            // After the write, never before: the recompute must read the versions just written.
            var summarizing = Stopwatch.StartNew();
            await summaries.RecomputeAsync(round.Traces, round.Observations, cancellationToken);
            IngestionWorkerMetrics.Record("summarize", summarizing.Elapsed);
        }

        IngestionWorkerMetrics.Written(round.Events);
        return round.Events;
    }

    /// <summary>The ids of one entity type among a project's entities whose stored rows may exist, to be read.</summary>
    private List<string> StoredIdsOf<TEvents>(List<IGrouping<(IngestionEntity Entity, string EntityId), TEvents>> byEntity, string projectId, IngestionEntity entity, StoredIdKind kind) =>
        byEntity.Where(g => g.Key.Entity == entity && storedIds.MayHold(kind, projectId, g.Key.EntityId)).Select(g => g.Key.EntityId).ToList();

    /// <summary>Until the round in flight is written or has failed (its failure is its writer's to handle).</summary>
    private static async Task WaitForAsync(RoundInFlight writing, Stopwatch waiting)
    {
        waiting.Start();
        await writing.Written.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        waiting.Stop();
    }

    private async Task<(JsonDocument? Document, List<(string ProjectId, StoredEvent Event)> Events)> LoadAsync(IngestionBatchReference reference, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(reference.BlobKey, cancellationToken);
        if (stream is null)
        {
            // Deleted by retention or by hand: nothing left to write, and retrying would not change that.
            LogMissingBatch(reference.BlobKey);
            return (null, []);
        }

        // As deep as the API accepted the events, or a deep input would fail its whole round again and again.
        var batch = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = ingestion.Value.MaxJsonDepth + EnvelopeDepth }, cancellationToken);
        var projectId = batch.RootElement.GetProperty("projectId").GetString()!;
        var events = new List<(string, StoredEvent)>();
        foreach (var item in batch.RootElement.GetProperty("events").EnumerateArray())
        {
            var type = IngestionEventType.Find(item.GetProperty("type").GetString()!);
            if (type is null)
            {
                continue;
            }

            events.Add((projectId, new StoredEvent(
                item.GetProperty("eventId").GetString()!,
                type,
                item.GetProperty("timestamp").GetDateTimeOffset(),
                item.GetProperty("entityId").GetString()!,
                item.GetProperty("body"))));
        }

        return (batch, events);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion batch {BlobKey} is no longer in the blob store; skipped")]
    private partial void LogMissingBatch(string blobKey);
}
