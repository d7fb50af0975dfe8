using System.Diagnostics;
using System.Text.Json;

namespace TraceIngest.Tests.Worker;

/// <summary>The worker's health check on the service's <c>/health</c>: progress while idle, a stall when a round keeps failing.</summary>
public sealed class WorkerHealthTests() : IngestServiceTest("worker-health")
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["TraceIngest:Roles"] = "api,worker";
        settings["Ingestion:Worker:ReceiveWait"] = "00:00:00.100";
        settings["Ingestion:Worker:RetryDelay"] = "00:00:00.050";
        settings["Ingestion:Worker:StallAfter"] = "00:00:01";
    }

    [Fact]
    public async Task A_worker_whose_batches_keep_failing_is_reported_unhealthy_and_an_idle_one_healthy()
    {
        var idle = await WorkerCheckAsync(status => status == "Healthy", TimeSpan.FromSeconds(10));

        await WorkerFailureTests.PublishUnreadableBatchAsync(Host.Services, ProjectId);
        // The failed batch is out of sight for the queue's visibility timeout (60 s): an empty queue is no progress then.
        var stalled = await WorkerCheckAsync(status => status == "Unhealthy", TimeSpan.FromSeconds(15));

        Assert.Equal("The ingestion worker is making progress", idle.GetProperty("description").GetString());
        Assert.StartsWith("The ingestion worker has made no progress for", stalled.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.NotEqual("0", stalled.GetProperty("data").GetProperty("consecutiveFailures").GetString());
    }

    private async Task<JsonElement> WorkerCheckAsync(Func<string, bool> wanted, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await Host.Client.GetAsync("/health", TestContext.Current.CancellationToken);
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ingestion-worker");
            if (wanted(check.GetProperty("status").GetString()!))
            {
                return check.Clone();
            }

            Assert.True(clock.Elapsed < within, $"ingestion-worker check still {check.GetProperty("status").GetString()} after {within}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
