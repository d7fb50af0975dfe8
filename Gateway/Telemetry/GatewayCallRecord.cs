namespace Gateway.Telemetry;

/// <summary>
/// What the trace of one gateway call says; no prompts or keys, only what routing and accounting saw.
/// <see cref="PromptTokens"/> includes the tokens read from and written to a prompt cache.
/// </summary>
internal sealed record GatewayCallRecord(
    string Operation,
    string RequestedModel,
    string? Deployment,
    string? Provider,
    string? UpstreamModel,
    int Status,
    string? ErrorCode,
    int Attempts,
    int? PromptTokens,
    int? CompletionTokens,
    bool Stream,
    string? User,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    double OverheadMilliseconds,
    int CacheReadTokens = 0,
    int CacheCreationTokens = 0,
    int CacheCreation1hTokens = 0,
    CallerIdentity? Caller = null,
    double? Cost = null);

/// <summary>Who made a call, as LiteLLM's Langfuse logger names it in trace metadata: the key's token (never the key), its alias, team and user.</summary>
internal sealed record CallerIdentity(string? KeyToken, string? KeyAlias, string? TeamId, string? UserId);
