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
/// Turns stored batches into rows: loads each batch, groups its events by entity, reads the entities' current
/// rows, merges, and writes the new versions in one insert per table. Safe to run again on the same batches.
/// </summary>
public sealed partial class IngestionBatchProcessor(
    IBlobStore blobs,
    TraceRowStore rows,
    WorkerTraceSummaries summaries,
    IngestionEventMerger merger,
    ProjectModelPrices projectPrices,
    IOptions<IngestionOptions> ingestion,
    TimeProvider clock,
    ILogger<IngestionBatchProcessor> logger)
{
    /// <summary>The stored document wraps each body in three levels: the batch, its events array, the event.</summary>
    private const int EnvelopeDepth = 3;

    public async Task<int> ProcessAsync(IReadOnlyList<IngestionBatchReference> references, CancellationToken cancellationToken)
    {
        var loading = Stopwatch.StartNew();
        var loaded = await Task.WhenAll(references.Select(reference => LoadAsync(reference, cancellationToken)));
        IngestionWorkerMetrics.Record("load", loading.Elapsed);
        try
        {
            return await ProcessAsync(loaded.Select(l => l.Events).ToArray(), cancellationToken);
        }
        finally
        {
            // The events' bodies are views into these documents: they are read until the rows are written.
            foreach (var (document, _) in loaded)
            {
                document?.Dispose();
            }
        }
    }

    private async Task<int> ProcessAsync(List<(string ProjectId, StoredEvent Event)>[] batches, CancellationToken cancellationToken)
    {
        var merging = Stopwatch.StartNew();
        var reading = new Stopwatch();
        var summarizing = new Stopwatch();
        var now = clock.GetUtcNow().UtcDateTime;
        var traces = new List<TraceRow>();
        var observations = new List<ObservationRow>();
        var scores = new List<ScoreRow>();
        var computedSummaries = new List<TraceSummary>();
        var events = 0;

        summarizing.Start();
        var summaryVersion = summaries.InProcess ? await summaries.VersionAsync(cancellationToken) : default;
        summarizing.Stop();

        foreach (var project in batches.SelectMany(b => b).GroupBy(e => e.ProjectId, StringComparer.Ordinal))
        {
            var byEntity = project.GroupBy(e => (e.Event.Type.Entity, e.Event.EntityId)).ToList();
            events += project.Count();

            var traceIds = byEntity.Where(g => g.Key.Entity == IngestionEntity.Trace).Select(g => g.Key.EntityId).ToList();
            var observationIds = byEntity.Where(g => g.Key.Entity == IngestionEntity.Observation).Select(g => g.Key.EntityId).ToList();
            var scoreIds = byEntity.Where(g => g.Key.Entity == IngestionEntity.Score).Select(g => g.Key.EntityId).ToList();
            // Three tables, three connections: the reads run side by side, each on a pool thread, because the
            // embedded engine runs a statement before its task returns.
            reading.Start();
            var readTraces = traceIds.Count == 0 ? Task.FromResult(new Dictionary<string, TraceRow>()) : Task.Run(() => rows.ReadTracesAsync(project.Key, traceIds, cancellationToken), cancellationToken);
            var readObservations = observationIds.Count == 0 ? Task.FromResult(new Dictionary<string, ObservationRow>()) : Task.Run(() => rows.ReadObservationsAsync(project.Key, observationIds, cancellationToken), cancellationToken);
            var readScores = scoreIds.Count == 0 ? Task.FromResult(new Dictionary<string, ScoreRow>()) : Task.Run(() => rows.ReadScoresAsync(project.Key, scoreIds, cancellationToken), cancellationToken);
            var readPrices = observationIds.Count == 0 ? Task.FromResult<IReadOnlyList<ModelPrice>>([]) : projectPrices.ForProjectAsync(project.Key, cancellationToken);
            await Task.WhenAll(readTraces, readObservations, readScores, readPrices);
            reading.Stop();
            var prices = await readPrices;
            var (storedTraces, storedObservations, storedScores) = (await readTraces, await readObservations, await readScores);

            var (firstTrace, firstObservation) = (traces.Count, observations.Count);
            foreach (var entity in byEntity)
            {
                var entityEvents = entity.Select(e => e.Event);
                switch (entity.Key.Entity)
                {
                    case IngestionEntity.Trace:
                        traces.Add(merger.MergeTrace(storedTraces.GetValueOrDefault(entity.Key.EntityId), project.Key, entity.Key.EntityId, entityEvents, now));
                        break;
                    case IngestionEntity.Observation:
                        observations.Add(merger.MergeObservation(storedObservations.GetValueOrDefault(entity.Key.EntityId), project.Key, entity.Key.EntityId, entityEvents, prices, now));
                        break;
                    default:
                        scores.Add(IngestionEventMerger.MergeScore(storedScores.GetValueOrDefault(entity.Key.EntityId), project.Key, entity.Key.EntityId, entityEvents, now));
                        break;
                }
            }

            if (summaries.InProcess)
            {
                summarizing.Start();
                computedSummaries.AddRange(await summaries.ComputeAsync(
                    project.Key, traces[firstTrace..], observations[firstObservation..], cancellationToken));
                summarizing.Stop();
            }
        }

        // Reads, merges and summaries alternate per project: the merge stage is what is left of the others.
        IngestionWorkerMetrics.Record("read", reading.Elapsed);
        IngestionWorkerMetrics.Record("merge", merging.Elapsed - reading.Elapsed - summarizing.Elapsed);
        var writing = Stopwatch.StartNew();
        await Task.WhenAll(
            rows.WriteAsync(traces, observations, scores, cancellationToken),
            Task.Run(() => summaries.WriteAsync(computedSummaries, summaryVersion, cancellationToken), cancellationToken));
        IngestionWorkerMetrics.Record("write", writing.Elapsed);

        if (!summaries.InProcess)
        {
            // After the write, never before: the recompute must read the versions just written.
            summarizing.Start();
            await summaries.RecomputeAsync(traces, observations, cancellationToken);
            summarizing.Stop();
        }

        IngestionWorkerMetrics.Record("summarize", summarizing.Elapsed);
        IngestionWorkerMetrics.Written(events);
        return events;
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
