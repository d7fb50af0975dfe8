using System.Text.Json;
using System.Text.Unicode;
using Storage;
using TraceIngest.Ingestion;

namespace TraceIngest.Apis;

/// <summary>The checks every write endpoint makes before looking at events: content type, size, encoding, JSON.</summary>
internal static class IngestionRequest
{
    public static async Task<(JsonDocument? Document, IResult? Failure)> ReadJsonAsync(HttpRequest request, IngestionOptions options, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, PublicApiError.Result(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json", "UnsupportedMediaType"));
        }

        var (outcome, body) = await RequestBody.ReadAsync(request, options.MaxRequestBytes, cancellationToken);
        switch (outcome)
        {
            case RequestBody.Outcome.TooLarge:
                return (null, PublicApiError.Result(StatusCodes.Status413PayloadTooLarge, $"Request body exceeds the limit of {options.MaxRequestBytes} bytes; send smaller batches", "PayloadTooLarge"));
            case RequestBody.Outcome.BadEncoding:
                return (null, PublicApiError.Result(StatusCodes.Status400BadRequest, "Content-Encoding must be gzip or absent, and the body must decode", "BadRequest"));
        }

        if (!Utf8.IsValid(body.Span))
        {
            // The JSON reader checks string contents only when they are read, which would be too late to refuse.
            return (null, PublicApiError.Result(StatusCodes.Status400BadRequest, "Request body is not valid UTF-8", "BadRequest"));
        }

        try
        {
            return (JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = options.MaxJsonDepth }), null);
        }
        catch (JsonException exception)
        {
            // The reader's message names line and byte position, never content, so it is safe to return.
            return (null, PublicApiError.Result(StatusCodes.Status400BadRequest, $"Invalid JSON: {exception.Message}", "BadRequest"));
        }
    }

    public static IResult Unavailable(StorageUnavailableException exception) =>
        PublicApiError.Result(
            StatusCodes.Status503ServiceUnavailable,
            $"Events could not be stored durably ({exception.Seam} store unavailable); nothing was accepted, retry later",
            "ServiceUnavailable");
}
