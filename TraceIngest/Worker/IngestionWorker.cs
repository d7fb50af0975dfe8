using System.Text.Json;
using Microsoft.Extensions.Options;
using Storage;
using Storage.Queue;
using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>
/// The worker role: takes batch references off the queue, processes them, and acknowledges them only after
/// their rows are written. A crash anywhere before the acknowledgement means redelivery, which the merge makes
/// harmless; a message that keeps failing ends in the queue's dead letters.
/// </summary>
/// <remarks>
/// Nothing but shutdown ends the loop: any exception a round throws is logged with its batches, the round is left
/// unacknowledged (delivered again after the queue's visibility timeout) and the loop goes on after a growing
/// pause. A round that fails for another reason than an unreachable backend is written again batch by batch, so
/// one batch that cannot be written does not take the others of its round to the dead letters with it.
/// </remarks>
public sealed partial class IngestionWorker(
    IMessageQueue queue,
    IngestionBatchProcessor processor,
    IngestionWorkerProgress progress,
    IOptions<IngestionOptions> ingestion,
    IOptions<IngestionWorkerOptions> options,
    IOptions<QueueOptions> queueOptions,
    ILogger<IngestionWorker> logger) : BackgroundService
{
    private const int LoggedKeys = 5;
    private readonly string _consumer = $"{System.Environment.MachineName}-{System.Environment.ProcessId}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                progress.Stop();
                LogLoopEnded();
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var stream = ingestion.Value.QueueStream;
        var settings = options.Value;
        // Rounds overlap by one: the next is received, loaded, read and merged while this one is written.
        RoundWrite? writing = null;
        var unfinished = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var decoded = await ReceiveAsync(stream, settings, stoppingToken);
                if (decoded is null || decoded.Count == 0)
                {
                    if (writing is not null)
                    {
                        await FinishAsync(writing, unfinished -= writing.Batches, settings, stoppingToken);
                        writing = null;
                    }

                    if (decoded is null)
                    {
                        await BackOffAsync(settings, stoppingToken);
                    }
                    else
                    {
                        progress.Idle(queueOptions.Value.VisibilityTimeout);
                    }

                    continue;
                }

                unfinished += decoded.Count;
                progress.Holding(unfinished);
                foreach (var round in IngestionRounds.Split([.. decoded], d => d.Reference, settings.MaxEventsPerRound, settings.MaxBytesPerRound))
                {
                    var (prepared, failure) = await PrepareAsync(round, writing?.InFlight, stoppingToken);
                    if (writing is not null)
                    {
                        await FinishAsync(writing, unfinished -= writing.Batches, settings, stoppingToken);
                    }

                    // A write starts only after the one before it ended: rounds are written, and acknowledged, in turn.
                    var written = WriteOrRecoverAsync(stream, round, prepared, failure, stoppingToken);
                    writing = new RoundWrite(round.Count, new RoundInFlight(prepared?.Footprint, written), written);
                }
            }
        }
        finally
        {
            if (writing is not null)
            {
                await ((Task)writing.Written).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Waits for a round's write, records the progress (<paramref name="heldAfter"/>: batches received and not in it), and pauses after a failure.</summary>
    private async Task FinishAsync(RoundWrite round, int heldAfter, IngestionWorkerOptions settings, CancellationToken stoppingToken)
    {
        var written = await round.Written;
        if (written > 0)
        {
            progress.Progressed(heldAfter + (round.Batches - written));
        }

        if (written < round.Batches)
        {
            await BackOffAsync(settings, stoppingToken);
        }
    }

    /// <summary>Loads, reads and merges a round while the one before it is written; the exception instead when that failed.</summary>
    private async Task<(PreparedRound? Prepared, Exception? Failure)> PrepareAsync(ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, RoundInFlight? writing, CancellationToken stoppingToken)
    {
        try
        {
            return (await processor.PrepareAsync([.. round.Select(r => r.Reference)], writing, stoppingToken), null);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            return (null, exception);
        }
    }

    /// <summary>Writes a prepared round, then acknowledges its messages; how many of its batches were written. Never throws but on shutdown.</summary>
    private async Task<int> WritePreparedAsync(string stream, ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, PreparedRound prepared, CancellationToken stoppingToken)
    {
        try
        {
            var events = await processor.WriteAsync(prepared, stoppingToken);
            await queue.AcknowledgeAsync(stream, [.. round.Select(r => r.Message.Id)], stoppingToken);
            LogRound(round.Count, events);
            return round.Count;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            return await RecoverAsync(stream, round, exception, stoppingToken);
        }
    }

    /// <summary>The next batch references (acknowledging messages that are none), or null when the queue failed.</summary>
    private async Task<List<(QueueMessage Message, IngestionBatchReference Reference)>?> ReceiveAsync(string stream, IngestionWorkerOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            var messages = await queue.ReceiveAsync(stream, _consumer, settings.MaxBatchesPerRound, settings.ReceiveWait, stoppingToken);
            var decoded = new List<(QueueMessage Message, IngestionBatchReference Reference)>(messages.Count);
            foreach (var message in messages)
            {
                if (Decode(message) is { } reference)
                {
                    decoded.Add((message, reference));
                }
                else
                {
                    LogUndecodable(message.Id);
                    await queue.AcknowledgeAsync(stream, [message.Id], stoppingToken);
                }
            }

            return decoded;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            LogReceiveFailed(exception, stream);
            return null;
        }
    }

    /// <summary>
    /// Writes one round's rows on its own, then acknowledges its messages (a crash before that delivers them again);
    /// how many of its batches were written. Never throws but on shutdown.
    /// </summary>
    private async Task<int> WriteRoundAsync(string stream, ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, CancellationToken stoppingToken)
    {
        var (prepared, failure) = await PrepareAsync(round, writing: null, stoppingToken);
        return await WriteOrRecoverAsync(stream, round, prepared, failure, stoppingToken);
    }

    /// <summary>Writes a prepared round, or recovers from the failure that kept it from being prepared.</summary>
    private Task<int> WriteOrRecoverAsync(string stream, ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, PreparedRound? prepared, Exception? failure, CancellationToken stoppingToken) =>
        prepared is not null ? WritePreparedAsync(stream, round, prepared, stoppingToken) : RecoverAsync(stream, round, failure!, stoppingToken);

    /// <summary>
    /// After a round failed: logs it and, unless a backend is down, writes it again batch by batch, so one batch that
    /// cannot be written fails alone; how many of its batches were written.
    /// </summary>
    private async Task<int> RecoverAsync(string stream, ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, Exception exception, CancellationToken stoppingToken)
    {
        if (round.Count == 1)
        {
            var (message, reference) = round[0];
            LogBatchFailed(exception, reference.BlobKey, message.Id, message.DeliveryCount);
            return 0;
        }

        LogRoundFailed(exception, round.Count, Keys(round));
        if (IsBackendUnavailable(exception))
        {
            return 0;
        }

        var written = 0;
        for (var i = 0; i < round.Count; i++)
        {
            written += await WriteRoundAsync(stream, round.Slice(i, 1), stoppingToken);
        }

        return written;
    }

    /// <summary>Failures no batch causes (a store down, a call timed out): writing the round batch by batch would fail the same way, once per batch.</summary>
    private static bool IsBackendUnavailable(Exception exception) =>
        exception is StorageUnavailableException or HttpRequestException or IOException or TimeoutException or OperationCanceledException;

    /// <summary>After a failure: the configured retry delay, doubled for each further failure in a row up to <see cref="IngestionWorkerOptions.MaxRetryDelay"/>.</summary>
    private Task BackOffAsync(IngestionWorkerOptions settings, CancellationToken stoppingToken)
    {
        var failures = progress.Failed();
        var delay = settings.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        return Task.Delay(delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay, stoppingToken);
    }

    private static string Keys(ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round) =>
        string.Join(", ", round.Take(LoggedKeys).Select(r => r.Reference.BlobKey)) + (round.Count > LoggedKeys ? $" and {round.Count - LoggedKeys} more" : "");

    private static IngestionBatchReference? Decode(QueueMessage message)
    {
        try
        {
            return JsonSerializer.Deserialize(message.Body.Span, IngestionJsonContext.Default.IngestionBatchReference);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A round being written: its batches and its write (how many of them it wrote).</summary>
    private sealed record RoundWrite(int Batches, RoundInFlight InFlight, Task<int> Written);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingestion worker wrote {Events} events from {Batches} batches")]
    private partial void LogRound(int batches, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion worker round of {Batches} batches failed ({BlobKeys}); they will be delivered again")]
    private partial void LogRoundFailed(Exception exception, int batches, string blobKeys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion batch {BlobKey} (message {MessageId}, delivery {Delivery}) could not be written; it will be delivered again until the queue gives up on it")]
    private partial void LogBatchFailed(Exception exception, string blobKey, string messageId, int delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion worker could not receive from queue stream {Stream}")]
    private partial void LogReceiveFailed(Exception exception, string stream);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Ingestion worker loop ended while the host runs; queued batches are no longer written")]
    private partial void LogLoopEnded();

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is not a batch reference; dropped")]
    private partial void LogUndecodable(string messageId);
}
