using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Providers.Bedrock.Converse;

/// <summary>
/// Converse's <c>usage</c> in OpenAI's terms, as LiteLLM reports it: prompt tokens include the tokens read from and
/// written to the prompt cache (Bedrock counts them apart from <c>inputTokens</c>), and the cached ones are also
/// <c>prompt_tokens_details.cached_tokens</c>.
/// </summary>
internal static class ConverseUsage
{
    public static TokenUsage Read(JsonElement usage)
    {
        var input = Count(usage, "inputTokens");
        var output = Count(usage, "outputTokens");
        var cacheRead = Count(usage, "cacheReadInputTokens");
        var cacheWrite = Count(usage, "cacheWriteInputTokens");
        var prompt = input + cacheRead + cacheWrite;
        var total = Count(usage, "totalTokens");
        return new TokenUsage(prompt, output, Math.Max(total, prompt + output), cacheRead, cacheWrite);
    }

    private static int Count(JsonElement usage, string name) =>
        usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : 0;

    /// <summary>Converse's <c>stopReason</c> as OpenAI's <c>finish_reason</c>.</summary>
    public static string FinishReason(string? stopReason, bool jsonMode) => stopReason switch
    {
        "tool_use" => jsonMode ? "stop" : "tool_calls",
        "max_tokens" or "model_context_window_exceeded" => "length",
        "guardrail_intervened" or "content_filtered" => "content_filter",
        _ => "stop",
    };
}
