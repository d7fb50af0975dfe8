using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storage.Blobs;
using Storage.Queue;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// A batch the worker cannot write (a stored document without what the worker reads) among good ones: the
/// worker writes the others, leaves it to the queue's redelivery and dead letters, and goes on.
/// </summary>
public sealed class WorkerFailureTests() : IngestServiceTest("worker-failures")
{
    private TraceRowStore Rows => Host.Services.GetRequiredService<TraceRowStore>();

    private IMessageQueue Queue => Host.Services.GetRequiredService<IMessageQueue>();

    [Fact]
    public async Task A_batch_that_cannot_be_written_fails_alone_and_the_worker_goes_on()
    {
        var cancel = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.MultiStatus, (await PostTraceAsync("before-poison")).StatusCode);
        var poison = await PublishUnreadableBatchAsync(Host.Services, ProjectId);
        Assert.Equal(HttpStatusCode.MultiStatus, (await PostTraceAsync("after-poison")).StatusCode);

        // All three are queued before the worker's first receive, so they make one round.
        var progress = new IngestionWorkerProgress(TimeProvider.System);
        using var worker = new IngestionWorker(
            Queue,
            HandRunProcessor.For(Host.Services),
            progress,
            Host.Services.GetRequiredService<IOptions<IngestionOptions>>(),
            Options.Create(new IngestionWorkerOptions { ReceiveWait = TimeSpan.FromMilliseconds(100), RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(100) }),
            Host.Services.GetRequiredService<IOptions<QueueOptions>>(),
            Host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<IngestionWorker>());
        await worker.StartAsync(cancel);
        try
        {
            await WrittenAsync(["before-poison", "after-poison"]);
            var dead = await DeadLettersAsync(1);
            Assert.Equal(HttpStatusCode.MultiStatus, (await PostTraceAsync("later")).StatusCode);
            await WrittenAsync(["later"]);

            Assert.Equal(poison, JsonSerializer.Deserialize<IngestionBatchReference>(Assert.Single(dead).Body.Span, JsonSerializerOptions.Web)!.BlobKey);
            Assert.False(worker.ExecuteTask!.IsCompleted, "the worker's loop ended");
            Assert.False(progress.Stopped);
            Assert.Contains(Host.Logs.Lines, line => line.Contains(poison, StringComparison.Ordinal) && line.Contains("could not be written", StringComparison.Ordinal));
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Stores a document the worker cannot read (its event has no type) and queues a reference to it, as the API would.</summary>
    internal static async Task<string> PublishUnreadableBatchAsync(IServiceProvider services, string projectId)
    {
        var cancel = TestContext.Current.CancellationToken;
        var key = $"ingestion/{projectId}/unreadable-{Guid.NewGuid():N}.json";
        var document = Encoding.UTF8.GetBytes($$"""{"version":1,"projectId":"{{projectId}}","receivedAt":"2026-11-23T10:00:00Z","events":[{"eventId":"e-unreadable","entityId":"t-unreadable"}]}""");
        await services.GetRequiredService<IBlobStore>().PutAsync(key, new MemoryStream(document), cancel);
        var reference = new IngestionBatchReference(projectId, key, 1, DateTimeOffset.UtcNow, document.Length);
        await services.GetRequiredService<IMessageQueue>().PublishAsync(
            services.GetRequiredService<IOptions<IngestionOptions>>().Value.QueueStream,
            JsonSerializer.SerializeToUtf8Bytes(reference, JsonSerializerOptions.Web),
            cancel);
        return key;
    }

    protected override void Configure(Dictionary<string, string?> settings)
    {
        // The API alone: the test runs the worker by hand, so it chooses when the worker first receives.
        settings["TraceIngest:Roles"] = "api";
        settings["Queue:VisibilityTimeout"] = "00:00:01";
    }

    private Task<HttpResponseMessage> PostTraceAsync(string traceId) =>
        Client.PostBatchAsync(IngestionClient.Event("trace-create", new JsonObject { ["id"] = traceId, ["name"] = "failure-test" }));

    private async Task WrittenAsync(string[] traceIds)
    {
        var clock = Stopwatch.StartNew();
        while ((await Rows.ReadTracesAsync(ProjectId, traceIds, TestContext.Current.CancellationToken)).Count < traceIds.Length)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{string.Join(", ", traceIds)} not written within 30 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private async Task<IReadOnlyList<QueueMessage>> DeadLettersAsync(int expected)
    {
        var stream = Host.Services.GetRequiredService<IOptions<IngestionOptions>>().Value.QueueStream;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var dead = await Queue.ReadDeadLettersAsync(stream, 100, TestContext.Current.CancellationToken);
            if (dead.Count >= expected)
            {
                return dead;
            }

            // Five deliveries, each after a 1 s visibility timeout.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the unwritable batch never reached the dead letters");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
