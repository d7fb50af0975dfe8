using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Storage;
using TraceIngest.Authentication;
using TraceIngest.Ingestion;

namespace TraceIngest.Apis;

/// <summary>
/// <c>POST /api/public/scores</c>: one score, stored through the same durable path as a <c>score-create</c> event.
/// Answers <c>{"id": …}</c>; the score becomes readable once the worker has written it.
/// </summary>
public static class ScoresApi
{
    public static IEndpointRouteBuilder MapScoresApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/public/scores", CreateAsync)
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .WithTags("Scores");
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, ClaimsPrincipal caller, IngestionBatchStore store, IOptions<IngestionOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (document, failure) = await IngestionRequest.ReadJsonAsync(request, options.Value, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        using (document)
        {
            var envelope = JsonSerializer.SerializeToElement(new ScoreEnvelope(Guid.CreateVersion7().ToString(), clock.GetUtcNow(), "score-create", document!.RootElement), JsonSerializerOptions.Web);
            var (score, error) = IngestionEventValidator.Validate(envelope, 0);
            if (error is not null)
            {
                return PublicApiError.Result(StatusCodes.Status400BadRequest, $"{error.Message}: {error.Error}", "BadRequest");
            }

            try
            {
                await store.StoreAsync(IngestionApi.ProjectOf(caller), [score!], cancellationToken);
            }
            catch (StorageUnavailableException exception)
            {
                return IngestionRequest.Unavailable(exception);
            }

            return TypedResults.Ok(new CreatedScore(score!.EntityId));
        }
    }

    private sealed record ScoreEnvelope(string Id, DateTimeOffset Timestamp, string Type, JsonElement Body);

    public sealed record CreatedScore(string Id);
}
