using System.Security.Claims;
using TraceIngest.Authentication;
using TraceIngest.Queries;

namespace TraceIngest.Apis;

/// <summary>Langfuse's score listing, at its v1 and v2 paths.</summary>
public static class PublicScoresReadApi
{
    public static IEndpointRouteBuilder MapPublicScoresReadApi(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/api/public/scores", "/api/public/v2/scores" })
        {
            app.MapGet(path, ListAsync)
                .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
                .AddEndpointFilter<TraceStoreUnavailableFilter>()
                .WithTags("Scores");
        }

        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, ClaimsPrincipal caller, TraceQueries queries, string? traceId, string? observationId, string? sessionId,
        string? name, string? source, string? dataType, string? fromTimestamp, string? toTimestamp, CancellationToken cancellationToken)
    {
        var (page, pageError) = ReadQuery.Paging(request);
        var (from, fromError) = ReadQuery.Time(fromTimestamp, "fromTimestamp");
        var (to, toError) = ReadQuery.Time(toTimestamp, "toTimestamp");
        if ((pageError ?? fromError ?? toError) is { } error)
        {
            return ReadQuery.BadRequest(error);
        }

        var filter = new ScoreListFilter
        {
            TraceId = traceId, ObservationId = observationId, SessionId = sessionId, Name = name, Source = source?.ToUpperInvariant(),
            DataType = dataType?.ToUpperInvariant(), FromTimestamp = from, ToTimestamp = to,
        };
        return TypedResults.Ok(await queries.ListScoresAsync(ReadQuery.Project(caller), filter, page, cancellationToken));
    }
}
