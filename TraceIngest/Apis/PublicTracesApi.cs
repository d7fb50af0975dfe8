using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TraceIngest.Authentication;
using TraceIngest.Queries;
using TraceIngest.Worker;

namespace TraceIngest.Apis;

/// <summary>Langfuse's public read API for traces: list with filters, one trace in full, and delete.</summary>
public static class PublicTracesApi
{
    public static IEndpointRouteBuilder MapPublicTracesApi(this IEndpointRouteBuilder app)
    {
        var traces = app.MapGroup("/api/public/traces")
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .AddEndpointFilter<TraceStoreUnavailableFilter>()
            .WithTags("Traces");
        traces.MapGet("/", ListAsync);
        traces.MapGet("/{traceId}", GetAsync);
        traces.MapDelete("/{traceId}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, ClaimsPrincipal caller, TraceQueries queries,
        string? userId, string? name, string? sessionId, string? release, string? version, string? orderBy,
        string? fromTimestamp, string? toTimestamp, [FromQuery] string[]? tags, [FromQuery] string[]? environment,
        CancellationToken cancellationToken)
    {
        var (page, pageError) = ReadQuery.Paging(request);
        var (from, fromError) = ReadQuery.Time(fromTimestamp, "fromTimestamp");
        var (to, toError) = ReadQuery.Time(toTimestamp, "toTimestamp");
        var (order, orderError) = TraceOrder.Parse(orderBy);
        if ((pageError ?? fromError ?? toError ?? orderError) is { } error)
        {
            return ReadQuery.BadRequest(error);
        }

        var filter = new TraceListFilter
        {
            UserId = userId, Name = name, SessionId = sessionId, Release = release, Version = version,
            Tags = ReadQuery.Many(tags), Environments = ReadQuery.Many(environment), FromTimestamp = from, ToTimestamp = to, OrderBy = order!,
        };
        return TypedResults.Ok(await queries.ListTracesAsync(ReadQuery.Project(caller), filter, page, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string traceId, ClaimsPrincipal caller, TraceQueries queries, CancellationToken cancellationToken) =>
        await queries.GetTraceAsync(ReadQuery.Project(caller), traceId, cancellationToken) is { } trace
            ? TypedResults.Ok(trace)
            : ReadQuery.NotFound("Trace");

    private static async Task<IResult> DeleteAsync(string traceId, ClaimsPrincipal caller, TraceQueries queries, TraceRowStore rows, CancellationToken cancellationToken) =>
        await queries.DeleteTraceAsync(ReadQuery.Project(caller), traceId, rows, cancellationToken)
            ? TypedResults.Ok(new DeletedMessage("Trace deleted successfully"))
            : ReadQuery.NotFound("Trace");

    public sealed record DeletedMessage(string Message);
}
