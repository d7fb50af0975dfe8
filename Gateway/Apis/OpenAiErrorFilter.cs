namespace Gateway.Apis;

/// <summary>
/// The last line of the OpenAI surface: a body the server cannot read becomes an OpenAI-shaped 4xx, and any
/// other failure an OpenAI-shaped 500 with a logged cause, never a stack trace in the answer.
/// </summary>
internal sealed partial class OpenAiErrorFilter(ILogger<OpenAiErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return TypedResults.Empty;
        }
        catch (BadHttpRequestException exception) when (!http.Response.HasStarted)
        {
            return OpenAiErrors.InvalidRequest(exception.StatusCode, $"The request could not be read: {exception.Message}");
        }
        catch (Exception exception) when (!http.Response.HasStarted)
        {
            LogUnexpected(logger, exception, http.Request.Path);
            http.Response.Clear();
            return OpenAiErrors.Internal();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
