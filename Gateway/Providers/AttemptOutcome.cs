namespace Gateway.Providers;

internal enum AttemptResult
{
    /// <summary>The upstream answered and the answer went (or is going) to the caller.</summary>
    Served,

    /// <summary>The upstream refused the request itself (a 4xx about its content): its answer went to the caller as is.</summary>
    PassedThrough,

    /// <summary>Nothing was written to the caller; another attempt may answer.</summary>
    Failed,

    /// <summary>The caller left, or the answer broke after it started: nothing more can be sent.</summary>
    Abandoned,
}

internal enum FailureKind
{
    None,

    /// <summary>No first byte (or no next byte) within the deployment's timeout.</summary>
    Timeout,

    /// <summary>The upstream could not be reached.</summary>
    Connection,

    /// <summary>429.</summary>
    RateLimited,

    /// <summary>5xx or 408.</summary>
    ServerError,

    /// <summary>401, 403, 404 or a redirect: the deployment's key, model name or base URL is wrong, not the caller's request.</summary>
    Rejected,

    /// <summary>A success status with a body that is not what the API promises.</summary>
    Malformed,

    ContextWindowExceeded,

    /// <summary>The deployment cannot be called at all (unsupported provider, unset secret).</summary>
    Unusable,
}

internal readonly record struct AttemptOutcome(AttemptResult Result, FailureKind Failure = FailureKind.None, int? UpstreamStatus = null, TimeSpan? RetryAfter = null)
{
    public static AttemptOutcome Served { get; } = new(AttemptResult.Served);
    public static AttemptOutcome PassedThrough { get; } = new(AttemptResult.PassedThrough);
    public static AttemptOutcome Abandoned { get; } = new(AttemptResult.Abandoned);

    public static AttemptOutcome Failed(FailureKind failure, int? upstreamStatus = null, TimeSpan? retryAfter = null) =>
        new(AttemptResult.Failed, failure, upstreamStatus, retryAfter);

    /// <summary>Whether the same deployment may be tried again in this call (after a delay).</summary>
    public bool SameDeploymentMayRetry => Failure is FailureKind.Connection or FailureKind.RateLimited or FailureKind.ServerError or FailureKind.Malformed;

    /// <summary>Classifies an upstream error status.</summary>
    public static FailureKind FailureFor(int status) => status switch
    {
        429 => FailureKind.RateLimited,
        408 or >= 500 => FailureKind.ServerError,
        401 or 403 or 404 or (>= 300 and < 400) => FailureKind.Rejected,
        _ => FailureKind.None,
    };
}
