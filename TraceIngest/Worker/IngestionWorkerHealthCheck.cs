using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TraceIngest.Worker;

/// <summary>
/// Unhealthy when the ingestion worker's loop has ended, or has made no progress for
/// <see cref="IngestionWorkerOptions.StallAfter"/>: accepted events would then wait without anyone saying so.
/// </summary>
internal sealed class IngestionWorkerHealthCheck(IngestionWorkerProgress progress, IOptions<IngestionWorkerOptions> options) : IHealthCheck
{
    public const string Name = "ingestion-worker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = progress.SinceProgress;
        var data = new Dictionary<string, object>
        {
            ["lastProgress"] = progress.LastProgress.ToString("O", CultureInfo.InvariantCulture),
            ["heldBatches"] = progress.Held,
            ["consecutiveFailures"] = progress.ConsecutiveFailures,
        };

        if (progress.Stopped)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The ingestion worker's loop has ended; queued batches are not being written", data: data));
        }

        if (since > options.Value.StallAfter)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                string.Create(CultureInfo.InvariantCulture, $"The ingestion worker has made no progress for {since.TotalSeconds:F0} s ({progress.Held} batches held, {progress.ConsecutiveFailures} failed rounds in a row)"),
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("The ingestion worker is making progress", data));
    }
}
