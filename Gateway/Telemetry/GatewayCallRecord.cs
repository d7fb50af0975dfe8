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
    double? Cost = null)
{
    /// <summary>When the attempt that answered was sent; the generation spans from here to <see cref="EndTime"/>.</summary>
    public DateTimeOffset? AnswerStartTime { get; init; }

    /// <summary>When the answer's first byte (a stream's first event) arrived: Langfuse's <c>completionStartTime</c>.</summary>
    public DateTimeOffset? CompletionStartTime { get; init; }

    /// <summary>The sampling parameters the caller sent, as a JSON object (see <see cref="Inbound.ModelParameters"/>).</summary>
    public byte[]? ModelParameters { get; init; }

    /// <summary>The attempts that did not answer, in order.</summary>
    public IReadOnlyList<AttemptSpan>? FailedAttempts { get; init; }
}

/// <summary>One attempt that did not answer, as a span beside the generation.</summary>
internal sealed record AttemptSpan(int Number, string Deployment, string Provider, string Failure, int? UpstreamStatus, DateTimeOffset StartTime, DateTimeOffset EndTime);

/// <summary>Who made a call, as LiteLLM's Langfuse logger names it in trace metadata: the key's token (never the key), its alias, team and user.</summary>
internal sealed record CallerIdentity(string? KeyToken, string? KeyAlias, string? TeamId, string? UserId);
