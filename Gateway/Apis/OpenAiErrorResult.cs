using Gateway.Providers;
using Gateway.Translation;

namespace Gateway.Apis;

/// <summary>
/// An error answer in OpenAI's shape, with <c>Retry-After</c> when the caller should wait; on the Anthropic API's
/// endpoints (marked <see cref="AnthropicErrorShape"/>) in Anthropic's shape, whoever raised it (authentication, routing).
/// </summary>
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

        if (httpContext.GetEndpoint()?.Metadata.GetMetadata<AnthropicErrorShape>() is not null)
        {
            var body = AnthropicErrorBody.Create(statusCode, Value.Error.Message);
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }

        return response.WriteAsJsonAsync(Value, GatewayJsonContext.Api.OpenAiErrorBody, contentType: "application/json", httpContext.RequestAborted);
    }
}
