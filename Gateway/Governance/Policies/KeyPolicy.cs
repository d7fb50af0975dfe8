namespace Gateway.Governance.Policies;

/// <summary>
/// Models, budget and limits for callers that present no virtual key (Entra ID tokens), by name: what a key would
/// carry, given by configuration instead. Every caller mapped to a policy shares its budget and limits, as callers
/// sharing one key would; map callers to their own policy (or team) to keep them apart.
/// </summary>
/// <param name="Name">What <see cref="Authentication.GatewayClaims.PolicyName"/> carries.</param>
/// <param name="Models">Model groups the policy allows; empty allows every model.</param>
/// <param name="MaxBudget">US dollars per <paramref name="BudgetDuration"/> (or in all, without one).</param>
/// <param name="SoftBudget">US dollars past which calls go on but the crossing is logged, as with a key's <c>soft_budget</c>.</param>
/// <param name="BudgetDuration">LiteLLM duration (<c>30d</c>, <c>1mo</c>, …); periods are counted from 2000-01-01 UTC, so every replica agrees on them.</param>
public sealed record KeyPolicy(
    string Name,
    IReadOnlyList<string> Models,
    double? MaxBudget = null,
    string? BudgetDuration = null,
    long? RpmLimit = null,
    long? TpmLimit = null,
    int? MaxParallelRequests = null,
    double? SoftBudget = null);
