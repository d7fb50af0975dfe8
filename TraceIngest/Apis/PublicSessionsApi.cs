using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TraceIngest.Authentication;
using TraceIngest.Queries;

namespace TraceIngest.Apis;

/// <summary>Langfuse's public read API for sessions (traces grouped by session id).</summary>
public static class PublicSessionsApi
{
    public static IEndpointRouteBuilder MapPublicSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/public/sessions")
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .AddEndpointFilter<TraceStoreUnavailableFilter>()
            .WithTags("Sessions");
        sessions.MapGet("/", ListAsync);
        sessions.MapGet("/{sessionId}", GetAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, ClaimsPrincipal caller, TraceQueries queries, string? fromTimestamp, string? toTimestamp,
        [FromQuery] string[]? environment, CancellationToken cancellationToken)
    {
        var (page, pageError) = ReadQuery.Paging(request);
        var (from, fromError) = ReadQuery.Time(fromTimestamp, "fromTimestamp");
        var (to, toError) = ReadQuery.Time(toTimestamp, "toTimestamp");
        return (pageError ?? fromError ?? toError) is { } error
            ? ReadQuery.BadRequest(error)
            : TypedResults.Ok(await queries.ListSessionsAsync(ReadQuery.Project(caller), from, to, ReadQuery.Many(environment), page, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string sessionId, ClaimsPrincipal caller, TraceQueries queries, CancellationToken cancellationToken) =>
        await queries.GetSessionAsync(ReadQuery.Project(caller), sessionId, cancellationToken) is { } session
            ? TypedResults.Ok(session)
            : ReadQuery.NotFound("Session");
}
