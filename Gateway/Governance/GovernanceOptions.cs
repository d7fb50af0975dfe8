namespace Gateway.Governance;

/// <summary>How virtual keys, budgets, rate limits and spend behave (section <c>Gateway:Governance</c>).</summary>
public sealed class GovernanceOptions
{
    public const string SectionName = "Gateway:Governance";

    /// <summary>How long a replica uses a key, team or user it has read before reading it again (changes made through any replica's API are seen at once).</summary>
    public TimeSpan CacheRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an unknown key (or end user) is remembered as unknown.</summary>
    public TimeSpan UnknownEntryCacheTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often spend buffered in Redis (or in memory) is written to the relational store.</summary>
    public TimeSpan SpendFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often settled calls' tokens (for the tpm windows) and spend deltas (for the spend buffer) are sent to the
    /// counters, together in one round trip: how far tpm windows and the buffered spend lag behind the calls.
    /// </summary>
    public TimeSpan SettlementFlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often budgets whose period has ended are reset in the relational store.</summary>
    public TimeSpan BudgetResetInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>While Redis is unreachable, what happens to calls that have a budget: <see cref="OutageBehaviour.Reject"/> (503) or <see cref="OutageBehaviour.Local"/>.</summary>
    public OutageBehaviour BudgetsWhenRedisDown { get; set; } = OutageBehaviour.Reject;

    /// <summary>While Redis is unreachable, what happens to rate limits: <see cref="OutageBehaviour.Local"/> (counted per replica), <see cref="OutageBehaviour.Reject"/> or <see cref="OutageBehaviour.Allow"/>.</summary>
    public OutageBehaviour RateLimitsWhenRedisDown { get; set; } = OutageBehaviour.Local;

    /// <summary>How often an unreachable Redis is tried again.</summary>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Completion tokens assumed when reserving a budget for a call that names no <c>max_tokens</c> and whose model has no <c>max_output_tokens</c>.</summary>
    public int DefaultMaxTokensEstimate { get; set; } = 4096;

    /// <summary>Capacity each replica charges in Redis ahead of use, so most calls are admitted without a round trip (section <c>Leases</c>).</summary>
    public CounterLeaseOptions Leases { get; set; } = new();

    /// <summary>Grace period of keys regenerated without one (LiteLLM's <c>LITELLM_KEY_ROTATION_GRACE_PERIOD</c>); empty: the old key stops at once.</summary>
    public string? KeyRotationGracePeriod { get; set; }
}

/// <summary>How a replica leases headroom of the shared (Redis) counters (section <c>Gateway:Governance:Leases</c>).</summary>
public sealed class CounterLeaseOptions
{
    /// <summary>Lease at all; off, every governed call charges Redis itself.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a lease is used before its unused rest is given back: how long another replica may wait for it near a limit.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most calls one lease is sized for (leases grow while fully used and shrink when not).</summary>
    public int MaxCalls { get; set; } = 256;
}

public enum OutageBehaviour
{
    /// <summary>Answer 503: nothing is let through that cannot be counted.</summary>
    Reject,

    /// <summary>Count on this replica alone until Redis is back: limits apply per replica.</summary>
    Local,

    /// <summary>Do not count at all.</summary>
    Allow,
}
