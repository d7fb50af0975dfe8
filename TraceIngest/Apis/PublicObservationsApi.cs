using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TraceIngest.Authentication;
using TraceIngest.Queries;

namespace TraceIngest.Apis;

/// <summary>Langfuse's public read API for observations.</summary>
public static class PublicObservationsApi
{
    public static IEndpointRouteBuilder MapPublicObservationsApi(this IEndpointRouteBuilder app)
    {
        var observations = app.MapGroup("/api/public/observations")
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .AddEndpointFilter<TraceStoreUnavailableFilter>()
            .WithTags("Observations");
        observations.MapGet("/", ListAsync);
        observations.MapGet("/{observationId}", GetAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, ClaimsPrincipal caller, TraceQueries queries,
        string? traceId, string? type, string? name, string? level, string? parentObservationId, string? version,
        string? fromStartTime, string? toStartTime, [FromQuery] string[]? environment, CancellationToken cancellationToken)
    {
        var (page, pageError) = ReadQuery.Paging(request);
        var (from, fromError) = ReadQuery.Time(fromStartTime, "fromStartTime");
        var (to, toError) = ReadQuery.Time(toStartTime, "toStartTime");
        if ((pageError ?? fromError ?? toError) is { } error)
        {
            return ReadQuery.BadRequest(error);
        }

        var filter = new ObservationListFilter
        {
            TraceId = traceId, Type = type?.ToUpperInvariant(), Name = name, Level = level?.ToUpperInvariant(), ParentObservationId = parentObservationId,
            Version = version, Environments = ReadQuery.Many(environment), FromStartTime = from, ToStartTime = to,
        };
        return TypedResults.Ok(await queries.ListObservationsAsync(ReadQuery.Project(caller), filter, page, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string observationId, ClaimsPrincipal caller, TraceQueries queries, CancellationToken cancellationToken) =>
        await queries.GetObservationAsync(ReadQuery.Project(caller), observationId, cancellationToken) is { } observation
            ? TypedResults.Ok(observation)
            : ReadQuery.NotFound("Observation");
}
