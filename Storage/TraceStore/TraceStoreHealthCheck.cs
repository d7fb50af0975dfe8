using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storage.TraceStore;

internal sealed class TraceStoreHealthCheck(ClickHouseTraceStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backend = store.Backend;
        var data = new Dictionary<string, object>
        {
            ["backend"] = backend.Implementation,
            ["location"] = backend.Location,
        };

        try
        {
            await store.Client.ExecuteScalarAsync("SELECT 1", cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy($"{backend.Implementation} reachable", data);
        }
        catch (Exception exception) when (exception is HttpRequestException or ClickHouse.Driver.ClickHouseServerException or TaskCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{backend.Implementation} unreachable", exception, data);
        }
    }
}
