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
public sealed partial class IngestionWorker(
    IMessageQueue queue,
    IngestionBatchProcessor processor,
    IOptions<IngestionOptions> ingestion,
    IOptions<IngestionWorkerOptions> options,
    ILogger<IngestionWorker> logger) : BackgroundService
{
    private readonly string _consumer = $"{System.Environment.MachineName}-{System.Environment.ProcessId}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stream = ingestion.Value.QueueStream;
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = await queue.ReceiveAsync(stream, _consumer, settings.MaxBatchesPerRound, settings.ReceiveWait, stoppingToken);
                if (messages.Count == 0)
                {
                    continue;
                }

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

                foreach (var round in IngestionRounds.Split([.. decoded], d => d.Reference, settings.MaxEventsPerRound, settings.MaxBytesPerRound))
                {
                    await WriteRoundAsync(stream, round, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is StorageUnavailableException or HttpRequestException or ClickHouse.Driver.ClickHouseServerException or IOException or JsonException)
            {
                // Not acknowledged: the messages come back after the visibility timeout.
                LogRoundFailed(exception);
                await Task.Delay(settings.RetryDelay, stoppingToken);
            }
        }
    }

    /// <summary>Writes one round's rows, then acknowledges its messages: a crash before that delivers them again.</summary>
    private async Task WriteRoundAsync(string stream, ArraySegment<(QueueMessage Message, IngestionBatchReference Reference)> round, CancellationToken cancellationToken)
    {
        var written = await processor.ProcessAsync([.. round.Select(r => r.Reference)], cancellationToken);
        await queue.AcknowledgeAsync(stream, [.. round.Select(r => r.Message.Id)], cancellationToken);

        LogRound(round.Count, written);
    }

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingestion worker wrote {Events} events from {Batches} batches")]
    private partial void LogRound(int batches, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion worker round failed; the batches will be delivered again")]
    private partial void LogRoundFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is not a batch reference; dropped")]
    private partial void LogUndecodable(string messageId);
}
