using System.Security.Claims;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using Storage;
using TraceIngest.Authentication;
using TraceIngest.Ingestion;
using TraceIngest.Otlp;

namespace TraceIngest.Apis;

/// <summary>
/// <c>POST /api/public/otel/v1/traces</c>: OTLP/HTTP trace export in protobuf or JSON, optionally gzip. Spans are
/// mapped to Langfuse events at the edge and stored through the same durable path as the batch ingestion.
/// </summary>
public static class OtlpApi
{
    private const string Protobuf = "application/x-protobuf";

    public static IEndpointRouteBuilder MapOtlpApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/public/otel/v1/traces", ExportAsync)
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .WithTags("OpenTelemetry");
        return app;
    }

    private static async Task<IResult> ExportAsync(
        HttpRequest request, ClaimsPrincipal caller, IngestionBatchStore store, IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not (Protobuf or "application/json"))
        {
            return PublicApiError.Result(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)", "UnsupportedMediaType");
        }

        var (outcome, body) = await RequestBody.ReadAsync(request, options.Value.MaxRequestBytes, cancellationToken);
        if (outcome != RequestBody.Outcome.Read)
        {
            return outcome == RequestBody.Outcome.TooLarge
                ? PublicApiError.Result(StatusCodes.Status413PayloadTooLarge, $"Request body exceeds the limit of {options.Value.MaxRequestBytes} bytes; export smaller batches", "PayloadTooLarge")
                : PublicApiError.Result(StatusCodes.Status400BadRequest, "Content-Encoding must be gzip or absent, and the body must decode", "BadRequest");
        }

        using var batch = store.CreateBatch(IngestionApi.ProjectOf(caller), sizeHint: body.Length + 4096);
        try
        {
            var mapper = new OtlpSpanMapper(batch);
            if (mediaType == Protobuf)
            {
                OtlpProtobufReader.Read(body.Span, mapper.Add);
            }
            else
            {
                ReadJson(body, options.Value, mapper);
            }

            mapper.Complete();
        }
        catch (Exception exception) when (exception is OtlpFormatException or JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return PublicApiError.Result(StatusCodes.Status400BadRequest, $"Invalid OTLP export: {exception.Message}", "BadRequest");
        }

        if (batch.Count > 0)
        {
            try
            {
                await store.StoreAsync(batch, cancellationToken);
            }
            catch (StorageUnavailableException exception)
            {
                return IngestionRequest.Unavailable(exception);
            }
        }

        // An empty ExportTraceServiceResponse: no partial_success, everything was accepted.
        return mediaType == Protobuf
            ? TypedResults.Bytes(Array.Empty<byte>(), Protobuf)
            : TypedResults.Content("{}", "application/json");
    }

    private static void ReadJson(ReadOnlyMemory<byte> body, IngestionOptions options, OtlpSpanMapper mapper)
    {
        if (!Utf8.IsValid(body.Span))
        {
            throw new OtlpFormatException("body is not valid UTF-8");
        }

        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = options.MaxJsonDepth });
        OtlpJsonReader.Read(document.RootElement, mapper.Add);
    }
}
