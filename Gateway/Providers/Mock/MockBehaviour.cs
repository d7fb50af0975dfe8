using System.Globalization;
using Gateway.Configuration;

namespace Gateway.Providers.Mock;

/// <summary>
/// What a <c>mock/</c> deployment does, from its <c>litellm_params</c>: <c>mock_response</c> (fixed text; without it
/// the last user message is echoed), <c>mock_latency_ms</c> (before the first byte), <c>mock_chunk_delay_ms</c>
/// (between stream chunks), <c>mock_error_status</c> (fail every call with this status) and
/// <c>mock_retry_after</c> (seconds, sent with the error).
/// </summary>
internal sealed record MockBehaviour(string? FixedResponse, TimeSpan Latency, TimeSpan ChunkDelay, int? ErrorStatus, TimeSpan? RetryAfter)
{
    public static (MockBehaviour? Behaviour, string? Error) From(LiteLlmParams parameters)
    {
        var extra = parameters.Extra;
        string? error = null;
        TimeSpan Milliseconds(string key)
        {
            if (!extra.TryGetValue(key, out var text))
            {
                return TimeSpan.Zero;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return TimeSpan.FromMilliseconds(value);
            }

            error ??= $"{key}: '{text}' is not a whole number of milliseconds";
            return TimeSpan.Zero;
        }

        var latency = Milliseconds("mock_latency_ms");
        var chunkDelay = Milliseconds("mock_chunk_delay_ms");
        int? status = null;
        if (extra.TryGetValue("mock_error_status", out var statusText))
        {
            if (int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 400 and <= 599)
            {
                status = parsed;
            }
            else
            {
                error ??= $"mock_error_status: '{statusText}' is not an HTTP error status (400-599)";
            }
        }

        TimeSpan? retryAfter = null;
        if (extra.TryGetValue("mock_retry_after", out var retryText))
        {
            if (double.TryParse(retryText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                retryAfter = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                error ??= $"mock_retry_after: '{retryText}' is not a number of seconds";
            }
        }

        return error is null
            ? (new MockBehaviour(extra.GetValueOrDefault("mock_response"), latency, chunkDelay, status, retryAfter), null)
            : (null, error);
    }
}
