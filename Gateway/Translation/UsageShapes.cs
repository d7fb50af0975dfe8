using System.Text.Json;
using Gateway.Usage;

namespace Gateway.Translation;

/// <summary>
/// Usage in each API's shape. Anthropic counts input without the cached parts (<c>input_tokens</c> beside
/// <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c>); OpenAI counts them inside
/// <c>prompt_tokens</c> and names the cached ones in <c>prompt_tokens_details.cached_tokens</c>.
/// </summary>
internal static class UsageShapes
{
    public static TokenUsage FromAnthropic(JsonElement usage, TokenUsage? earlier = null)
    {
        var input = Count(usage, "input_tokens") ?? InputOnly(earlier);
        var read = Count(usage, "cache_read_input_tokens") ?? earlier?.CacheReadTokens ?? 0;
        var creation = Count(usage, "cache_creation_input_tokens") ?? earlier?.CacheCreationTokens ?? 0;
        var output = Count(usage, "output_tokens") ?? earlier?.CompletionTokens ?? 0;
        var hour = (usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("cache_creation", out var byTtl) ? Count(byTtl, "ephemeral_1h_input_tokens") : null)
            ?? earlier?.CacheCreation1hTokens ?? 0;
        var prompt = input + read + creation;
        return new TokenUsage(prompt, output, prompt + output, read, creation, Math.Min(hour, creation));
    }

    private static int InputOnly(TokenUsage? usage) => usage is { } u ? u.PromptTokens - u.CacheReadTokens - u.CacheCreationTokens : 0;

    private static int? Count(JsonElement usage, string name) =>
        usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count)
            ? count
            : null;

    /// <summary>OpenAI's <c>usage</c>, with LiteLLM's <c>cache_*_input_tokens</c> beside it for clients that read those.</summary>
    public static void WriteOpenAi(Utf8JsonWriter writer, TokenUsage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", usage.PromptTokens);
        writer.WriteNumber("completion_tokens", usage.CompletionTokens);
        writer.WriteNumber("total_tokens", usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details");
        writer.WriteNumber("cached_tokens", usage.CacheReadTokens);
        writer.WriteEndObject();
        if (usage.CacheReadTokens > 0 || usage.CacheCreationTokens > 0)
        {
            writer.WriteNumber("cache_read_input_tokens", usage.CacheReadTokens);
            writer.WriteNumber("cache_creation_input_tokens", usage.CacheCreationTokens);
        }

        writer.WriteEndObject();
    }

    public static void WriteAnthropic(Utf8JsonWriter writer, TokenUsage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", Math.Max(0, usage.PromptTokens - usage.CacheReadTokens - usage.CacheCreationTokens));
        writer.WriteNumber("cache_creation_input_tokens", usage.CacheCreationTokens);
        writer.WriteNumber("cache_read_input_tokens", usage.CacheReadTokens);
        writer.WriteNumber("output_tokens", usage.CompletionTokens);
        writer.WriteEndObject();
    }
}
