namespace Gateway.Apis;

/// <summary>The gateway's errors, worded for the caller, in OpenAI's types and codes. Never carries a credential.</summary>
public static class OpenAiErrors
{
    public static OpenAiErrorResult InvalidRequest(int status, string message, string? param = null, string? code = null) =>
        new(status, new OpenAiError(message, "invalid_request_error", param, code));

    public static OpenAiErrorResult BadBody(string message, string? param) => InvalidRequest(StatusCodes.Status400BadRequest, message, param);

    public static OpenAiErrorResult TooLarge(long limit) =>
        InvalidRequest(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than the gateway accepts ({limit} bytes).", code: "request_too_large");

    public static OpenAiErrorResult ModelNotFound(string model) =>
        InvalidRequest(StatusCodes.Status404NotFound, $"The model '{model}' does not exist or you do not have access to it.", "model", "model_not_found");

    public static OpenAiErrorResult MissingKey() =>
        InvalidRequest(StatusCodes.Status401Unauthorized,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>', or in an 'api-key' or 'x-api-key' header.", code: "invalid_api_key");

    public static OpenAiErrorResult InvalidKey() =>
        InvalidRequest(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", code: "invalid_api_key");

    public static OpenAiErrorResult Forbidden() =>
        InvalidRequest(StatusCodes.Status403Forbidden, "This key is not allowed to use this endpoint.", code: "forbidden");

    public static OpenAiErrorResult InvalidAccessToken(string reason) =>
        InvalidRequest(StatusCodes.Status401Unauthorized, $"The Entra ID access token is not accepted: {reason}.", code: "invalid_access_token");

    public static OpenAiErrorResult AccessTokenLacksPermission(IEnumerable<string> roles, IEnumerable<string> scopes) =>
        InvalidRequest(StatusCodes.Status403Forbidden,
            $"The Entra ID access token carries none of the app roles ({string.Join(", ", roles)}) or scopes ({string.Join(", ", scopes)}) this gateway requires.",
            code: "forbidden");

    public static OpenAiErrorResult RateLimited(string message, TimeSpan? retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, new OpenAiError(message, "requests", null, "rate_limit_exceeded"), retryAfter);

    public static OpenAiErrorResult Upstream(int status, string message, string code, TimeSpan? retryAfter = null) =>
        new(status, new OpenAiError(message, "server_error", null, code), retryAfter);

    public static OpenAiErrorResult Internal() =>
        new(StatusCodes.Status500InternalServerError, new OpenAiError("The gateway failed to handle the request.", "server_error", null, "internal_error"));
}
