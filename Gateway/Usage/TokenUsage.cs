namespace Gateway.Usage;

/// <summary>
/// Token counts of one call, in OpenAI's terms: <see cref="PromptTokens"/> counts every input token, the cached ones
/// (<see cref="CacheReadTokens"/>, read from a prompt cache) and the ones written to a cache
/// (<see cref="CacheCreationTokens"/>, Anthropic's prompt caching) included. <see cref="CacheCreation1hTokens"/> is the
/// part of the cache writes kept for an hour, which Anthropic prices higher than its five-minute writes.
/// </summary>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens, int CacheReadTokens = 0, int CacheCreationTokens = 0, int CacheCreation1hTokens = 0);
