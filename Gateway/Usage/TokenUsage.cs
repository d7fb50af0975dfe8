namespace Gateway.Usage;

/// <summary>Token counts as a provider reports them in OpenAI's <c>usage</c> object.</summary>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens);
