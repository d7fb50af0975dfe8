using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storage;

/// <summary>Readiness of one seam's backend, reported with the backend's name and location (never credentials).</summary>
internal sealed class BackendHealthCheck(StorageBackend backend, Func<CancellationToken, Task<bool>> probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["backend"] = backend.Implementation, ["location"] = backend.Location };
        return await probe(cancellationToken)
            ? HealthCheckResult.Healthy($"{backend.Implementation} reachable", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{backend.Implementation} unreachable", data: data);
    }
}
