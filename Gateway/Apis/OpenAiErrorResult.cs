using Gateway.Providers;

namespace Gateway.Apis;

/// <summary>An error answer in OpenAI's shape, with <c>Retry-After</c> when the caller should wait.</summary>
public sealed class OpenAiErrorResult(int statusCode, OpenAiError error, TimeSpan? retryAfter = null) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<OpenAiErrorBody>
{
    public int StatusCode => statusCode;

    int? IStatusCodeHttpResult.StatusCode => statusCode;

    public OpenAiErrorBody Value { get; } = new(error);

    object? IValueHttpResult.Value => Value;

    public TimeSpan? RetryAfter => retryAfter;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = RetryAfterHeader.Format(wait);
        }

        return response.WriteAsJsonAsync(Value, GatewayJsonContext.Api.OpenAiErrorBody, contentType: "application/json", httpContext.RequestAborted);
    }
}
