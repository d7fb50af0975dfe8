using System.Text.Json;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// An error Bedrock Runtime answered with: its exception type (from <c>x-amzn-ErrorType</c>, the body's
/// <c>__type</c>, or an event stream's <c>:exception-type</c>), its message and the HTTP status it came with.
/// </summary>
internal sealed record BedrockError(string Type, string Message, int Status, TimeSpan? RetryAfter = null)
{
    private const int MaxMessageLength = 1000;

    /// <summary>Reads an error answer: <c>{"message": …}</c> (or <c>Message</c>) with the type in a header or <c>__type</c>.</summary>
    public static BedrockError Read(int status, string? errorTypeHeader, ReadOnlySpan<byte> body, TimeSpan? retryAfter)
    {
        string? type = errorTypeHeader is { Length: > 0 } header ? header.Split(':')[0] : null;
        string? message = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                message = (root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (type is null && root.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    type = t.GetString()!.Split('#')[^1];
                }
            }
        }
        catch (JsonException)
        {
        }

        type ??= status switch
        {
            429 => "ThrottlingException",
            403 => "AccessDeniedException",
            400 => "ValidationException",
            503 => "ServiceUnavailableException",
            _ => $"HTTP{status}",
        };
        return new BedrockError(type, Shorten(message ?? $"Bedrock answered HTTP {status}"), status, retryAfter);
    }

    /// <summary>An exception event of ConverseStream (<c>:exception-type</c> such as <c>throttlingException</c>, JSON <c>{"message"}</c>).</summary>
    public static BedrockError FromEvent(string? type, ReadOnlySpan<byte> payload)
    {
        var normalized = string.IsNullOrEmpty(type) ? "InternalServerException" : char.ToUpperInvariant(type[0]) + type[1..];
        var status = normalized switch
        {
            "ThrottlingException" => 429,
            "ValidationException" => 400,
            "ServiceUnavailableException" => 503,
            "ModelTimeoutException" => 408,
            "ModelStreamErrorException" => 424,
            _ => 500,
        };
        return Read(status, normalized, payload, null);
    }

    private static string Shorten(string message) => message.Length <= MaxMessageLength ? message : message[..MaxMessageLength] + "…";

    /// <summary>How the attempt failed, or <see cref="FailureKind.None"/> for a refusal of the caller's request that goes back to the caller.</summary>
    public FailureKind Failure => Type switch
    {
        "ThrottlingException" or "TooManyRequestsException" => FailureKind.RateLimited,
        "ModelNotReadyException" or "ServiceUnavailableException" or "InternalServerException" or "InternalFailure" or "ModelErrorException"
            or "ModelStreamErrorException" => FailureKind.ServerError,
        "ModelTimeoutException" => FailureKind.Timeout,
        "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignatureException"
            or "MissingAuthenticationTokenException" or "ExpiredTokenException" or "ResourceNotFoundException" => FailureKind.Rejected,
        _ when IsContextWindowExceeded => FailureKind.ContextWindowExceeded,
        _ => AttemptOutcome.FailureFor(Status),
    };

    /// <summary>The status the router reports: a model that is not ready yet is unavailable (503), not rate limited.</summary>
    public int ReportedStatus => Type is "ModelNotReadyException" ? 503 : Status;

    public bool IsContextWindowExceeded => Type == "ValidationException"
        && (Message.Contains("too long", StringComparison.OrdinalIgnoreCase)
            || Message.Contains("too many input tokens", StringComparison.OrdinalIgnoreCase)
            || Message.Contains("context window", StringComparison.OrdinalIgnoreCase)
            || Message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase));

    public AttemptOutcome Outcome(bool contextWindowFallbacks) => Failure switch
    {
        FailureKind.ContextWindowExceeded when !contextWindowFallbacks => AttemptOutcome.PassedThrough,
        FailureKind.None => AttemptOutcome.PassedThrough,
        var failure => AttemptOutcome.Failed(failure, ReportedStatus, RetryAfter),
    };
}
