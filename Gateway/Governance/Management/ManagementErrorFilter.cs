using Gateway.Apis;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Governance.Management;

/// <summary>
/// The last line of the management API: bad input answers 400 with the reason, an unreachable store 503, a conflict
/// with an existing row 400; anything else 500 with a logged cause. Never a stack trace in the answer.
/// </summary>
internal sealed partial class ManagementErrorFilter(ILogger<ManagementErrorFilter> logger) : IEndpointFilter
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
        catch (ManagementRequestException exception)
        {
            return ManagementErrors.BadRequest(exception.Message, exception.Param);
        }
        catch (BadHttpRequestException exception)
        {
            return ManagementErrors.BadRequest($"The request could not be read: {exception.Message}");
        }
        catch (Exception exception) when (RelationalFailures.IsUnavailable(exception) || exception is Storage.StorageUnavailableException)
        {
            LogStoreUnavailable(logger, http.Request.Path, exception.Message);
            return ManagementErrors.StoreUnavailable();
        }
        catch (DbUpdateException exception)
        {
            // A unique key another request took between this request's checks and its commit.
            LogConflict(logger, http.Request.Path, exception.InnerException?.Message ?? exception.Message);
            return ManagementErrors.BadRequest("The change conflicts with an existing entry (an id or alias already in use); nothing was changed.");
        }
        catch (Exception exception)
        {
            LogUnexpected(logger, exception, http.Request.Path);
            return OpenAiErrors.Internal();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management request {Path} refused: relational store unreachable ({Reason})")]
    private static partial void LogStoreUnavailable(ILogger logger, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Management request {Path} conflicted with an existing row ({Reason})")]
    private static partial void LogConflict(ILogger logger, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
