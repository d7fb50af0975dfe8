using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Storage;
using TraceIngest.Authentication;
using TraceIngest.Ingestion;

namespace TraceIngest.Apis;

/// <summary>
/// <c>POST /api/public/ingestion</c>: Langfuse's batch ingestion. Every valid event is stored durably before the
/// 207; an invalid event gets its own 400 in <c>errors</c> and never costs the others their place.
/// </summary>
public static class IngestionApi
{
    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/public/ingestion", IngestAsync)
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .WithTags("Ingestion");
        return app;
    }

    private static async Task<IResult> IngestAsync(
        HttpRequest request, ClaimsPrincipal caller, IngestionBatchStore store, IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
        var (document, failure) = await IngestionRequest.ReadJsonAsync(request, options.Value, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        using (document)
        {
            if (document!.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
            {
                return PublicApiError.Result(StatusCodes.Status400BadRequest, IngestionEventValidator.InvalidRequestData, "BadRequest", ["batch must be an array of events"]);
            }

            var accepted = new List<IngestionEvent>();
            var successes = new List<IngestionSuccess>();
            var errors = new List<IngestionEventError>();
            var index = 0;
            foreach (var element in batch.EnumerateArray())
            {
                var (ingestionEvent, error) = IngestionEventValidator.Validate(element, index++);
                if (error is not null)
                {
                    errors.Add(error);
                    continue;
                }

                if (ingestionEvent is not null)
                {
                    accepted.Add(ingestionEvent);
                }

                successes.Add(new IngestionSuccess(element.GetProperty("id").GetString()!, StatusCodes.Status201Created));
            }

            if (accepted.Count > 0)
            {
                try
                {
                    await store.StoreAsync(ProjectOf(caller), accepted, cancellationToken);
                }
                catch (StorageUnavailableException exception)
                {
                    return IngestionRequest.Unavailable(exception);
                }
            }

            return TypedResults.Json(new IngestionResponse(successes, errors), statusCode: StatusCodes.Status207MultiStatus);
        }
    }

    internal static string ProjectOf(ClaimsPrincipal caller) => caller.FindFirstValue(ProjectApiKeyAuthenticationHandler.ProjectIdClaim)!;

    public sealed record IngestionResponse(IReadOnlyList<IngestionSuccess> Successes, IReadOnlyList<IngestionEventError> Errors);

    public sealed record IngestionSuccess(string Id, int Status);
}
