using Gateway.Apis;

namespace Gateway.Governance.Management;

/// <summary>The management API's errors: OpenAI's shape with LiteLLM's types, as a LiteLLM proxy answers them.</summary>
internal static class ManagementErrors
{
    public static OpenAiErrorResult BadRequest(string message, string? param = null) =>
        new(StatusCodes.Status400BadRequest, new OpenAiError(message, "bad_request_error", param, "bad_request"));

    public static OpenAiErrorResult Forbidden(string message) =>
        new(StatusCodes.Status403Forbidden, new OpenAiError(message, "auth_error", null, "forbidden"));

    public static OpenAiErrorResult StoreUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "The relational store is unreachable; nothing was changed. Try again shortly.", "service_unavailable", null, "store_unavailable"), TimeSpan.FromSeconds(5));
}
