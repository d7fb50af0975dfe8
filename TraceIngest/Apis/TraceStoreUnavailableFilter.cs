using ClickHouse.Driver;

namespace TraceIngest.Apis;

/// <summary>A trace store that cannot be reached answers 503 in Langfuse's error shape, not a 500.</summary>
internal sealed partial class TraceStoreUnavailableFilter(ILogger<TraceStoreUnavailableFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException
            || exception is TaskCanceledException && !context.HttpContext.RequestAborted.IsCancellationRequested
            || exception is ClickHouseServerException { ErrorCode: 159 or 202 or 241 })
        {
            LogUnavailable(exception);
            return PublicApiError.Result(StatusCodes.Status503ServiceUnavailable, "The trace store is unavailable; retry later", "ServiceUnavailable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace store unavailable for a read request")]
    private partial void LogUnavailable(Exception exception);
}
