using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storage.Relational;

internal sealed class RelationalStoreHealthCheck(PlatformDbContext db, IEnumerable<StorageBackend> backends) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backend = backends.Single(b => b.Seam == RelationalStoreExtensions.Seam);
        var data = new Dictionary<string, object>
        {
            ["backend"] = backend.Implementation,
            ["location"] = backend.Location,
        };

        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{backend.Implementation} reachable", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{backend.Implementation} unreachable", data: data);
    }
}
