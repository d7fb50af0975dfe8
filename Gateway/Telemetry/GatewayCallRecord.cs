namespace Gateway.Telemetry;

/// <summary>What the trace of one gateway call says; no prompts or keys, only what routing and accounting saw.</summary>
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
    int CachedPromptTokens = 0,
    int CacheCreationPromptTokens = 0);
