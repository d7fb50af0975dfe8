using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TraceIngest.Apis;

/// <summary><c>GET /api/public/health</c>, which Langfuse SDKs and uptime checks call without credentials.</summary>
public static class PublicHealthApi
{
    private static readonly string Version =
        typeof(PublicHealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapPublicHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/public/health", GetHealthAsync).WithTags("Health");
        return app;
    }

    private static async Task<Results<Ok<PublicHealth>, JsonHttpResult<PublicHealth>>> GetHealthAsync(
        HealthCheckService healthChecks, CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(new PublicHealth("Degraded", Version), statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(new PublicHealth("OK", Version));
    }

    public sealed record PublicHealth(string Status, string Version);
}
