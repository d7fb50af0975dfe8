using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Storage;
using Storage.Relational;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's unauthenticated probe routes, so load balancers and charts configured for a LiteLLM proxy keep
/// working: <c>/health/liveliness</c> (and its <c>/health/liveness</c> alias) and <c>/health/readiness</c>.
/// </summary>
public static class LiteLlmHealthApi
{
    internal const string AliveMessage = "I'm alive!";

    public static IEndpointRouteBuilder MapLiteLlmHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/liveliness", Liveliness);
        health.MapGet("/liveness", Liveliness);
        health.MapGet("/readiness", ReadinessAsync);
        return app;
    }

    private static Ok<string> Liveliness() => TypedResults.Ok(AliveMessage);

    private static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ReadinessResponse>>> ReadinessAsync(
        HealthCheckService healthChecks, IEnumerable<StorageBackend> backends, CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        var relational = report.Entries.TryGetValue(RelationalStoreExtensions.Seam, out var entry) ? entry.Status : HealthStatus.Unhealthy;
        var response = new ReadinessResponse(
            Status: report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
            Db: relational == HealthStatus.Healthy ? "connected" : "Not connected",
            Backends: backends.ToDictionary(b => b.Seam, b => b.Implementation));

        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    internal sealed record ReadinessResponse(string Status, string Db, IReadOnlyDictionary<string, string> Backends);
}
