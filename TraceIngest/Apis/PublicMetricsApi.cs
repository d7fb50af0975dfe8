using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TraceIngest.Authentication;
using TraceIngest.Queries;

namespace TraceIngest.Apis;

/// <summary><c>GET /api/public/metrics/daily</c>: traces, observations, cost and usage per model, per day.</summary>
public static class PublicMetricsApi
{
    public static IEndpointRouteBuilder MapPublicMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/public/metrics/daily", DailyAsync)
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .AddEndpointFilter<TraceStoreUnavailableFilter>()
            .WithTags("Metrics");
        return app;
    }

    private static async Task<IResult> DailyAsync(
        HttpRequest request, ClaimsPrincipal caller, TraceQueries queries, string? traceName, string? userId,
        [FromQuery] string[]? tags, [FromQuery] string[]? environment, string? fromTimestamp, string? toTimestamp, CancellationToken cancellationToken)
    {
        var (page, pageError) = ReadQuery.Paging(request);
        var (from, fromError) = ReadQuery.Time(fromTimestamp, "fromTimestamp");
        var (to, toError) = ReadQuery.Time(toTimestamp, "toTimestamp");
        if ((pageError ?? fromError ?? toError) is { } error)
        {
            return ReadQuery.BadRequest(error);
        }

        var filter = new TraceListFilter { Name = traceName, UserId = userId, Tags = ReadQuery.Many(tags), Environments = ReadQuery.Many(environment), FromTimestamp = from, ToTimestamp = to };
        return TypedResults.Ok(await queries.DailyMetricsAsync(ReadQuery.Project(caller), filter, page, cancellationToken));
    }
}
