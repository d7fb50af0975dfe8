using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Governance.Budgets;

namespace Gateway.Governance.Policies;

/// <summary>
/// The named <see cref="KeyPolicy"/> set that callers without a virtual key are held to. Whatever maps those callers
/// (the Entra ID scheme) registers its policies here at start; a caller naming a policy that is not registered is
/// refused. Names compare without case, as configuration keys do.
/// </summary>
public sealed class KeyPolicyRegistry
{
    // Policy budgets are kept in the shared counters only: their periods start from one fixed moment, so every
    // replica agrees on when a period ends without storing it.
    private static readonly DateTimeOffset PeriodAnchor = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentDictionary<string, (KeyPolicy Policy, LimitHolder Limits)> _policies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds or replaces a policy. Throws <see cref="ArgumentException"/> for a budget duration LiteLLM would not accept.</summary>
    public void Register(KeyPolicy policy)
    {
        BudgetDuration? duration = null;
        if (policy.BudgetDuration is { } text && !BudgetDuration.TryParse(text, out duration))
        {
            throw new ArgumentException($"Policy '{policy.Name}': budget_duration '{text}' is not a duration like 30d or 1mo.", nameof(policy));
        }

        var limits = new LimitHolder(
            HolderKind.Policy, policy.Name, policy.Name,
            policy.MaxBudget is { } max ? Usd.ToNanos(max) : null, policy.SoftBudget is { } soft ? Usd.ToNanos(soft) : null,
            duration, duration is null ? null : PeriodAnchor, 0,
            policy.RpmLimit, policy.TpmLimit, policy.MaxParallelRequests);
        _policies[policy.Name] = (policy, limits);
    }

    /// <summary>A registry holding <paramref name="policies"/>.</summary>
    public static KeyPolicyRegistry Of(IEnumerable<KeyPolicy> policies)
    {
        var registry = new KeyPolicyRegistry();
        foreach (var policy in policies)
        {
            registry.Register(policy);
        }

        return registry;
    }

    public KeyPolicy? Find(string name) => _policies.TryGetValue(name, out var entry) ? entry.Policy : null;

    internal LimitHolder? LimitsOf(string name) => _policies.TryGetValue(name, out var entry) ? entry.Limits : null;

    public IReadOnlyCollection<KeyPolicy> All => _policies.Values.Select(e => e.Policy).ToList();
}
