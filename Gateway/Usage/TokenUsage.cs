namespace Gateway.Usage;

/// <summary>Token counts as a provider reports them in OpenAI's <c>usage</c> object.</summary>
/// <param name="PromptTokens">All input tokens, cached ones included (OpenAI's convention).</param>
/// <param name="CachedPromptTokens">Input tokens read from the provider's prompt cache (<c>prompt_tokens_details.cached_tokens</c>).</param>
/// <param name="CacheCreationPromptTokens">Input tokens written to the provider's prompt cache (Anthropic and Bedrock price them apart).</param>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens, int CachedPromptTokens = 0, int CacheCreationPromptTokens = 0);
