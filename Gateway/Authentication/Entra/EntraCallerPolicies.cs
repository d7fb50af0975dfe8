using Gateway.Configuration;
using Gateway.Governance.Policies;

namespace Gateway.Authentication.Entra;

/// <summary>
/// The named key policies Entra ID callers are mapped to (section <c>Gateway:Entra:Policies:&lt;name&gt;</c>), with
/// LiteLLM's key fields: what a virtual key would carry, given to a token instead.
/// </summary>
public sealed class EntraCallerPolicies
{
    public Dictionary<string, EntraKeyPolicy> Policies { get; } = new(StringComparer.OrdinalIgnoreCase);

    public EntraKeyPolicy? Find(string? name) => name is not null && Policies.TryGetValue(name, out var policy) ? policy : null;

    /// <summary>The policies as governance enforces them on the callers mapped to each: models, budgets and limits.</summary>
    internal IEnumerable<KeyPolicy> ToKeyPolicies() => Policies.Select(entry => new KeyPolicy(
        entry.Key, entry.Value.Models, (double?)entry.Value.MaxBudget, entry.Value.BudgetDuration,
        entry.Value.RpmLimit, entry.Value.TpmLimit, entry.Value.MaxParallelRequests, (double?)entry.Value.SoftBudget));
}

/// <summary>A key policy: LiteLLM's <c>models</c>, <c>max_budget</c>, <c>soft_budget</c>, <c>budget_duration</c>, <c>rpm_limit</c>, <c>tpm_limit</c>, <c>max_parallel_requests</c>.</summary>
public sealed class EntraKeyPolicy
{
    /// <summary>Model groups the caller may use; empty means every model.</summary>
    public string[] Models { get; set; } = [];

    public decimal? MaxBudget { get; set; }
    public decimal? SoftBudget { get; set; }

    /// <summary>Budget period as LiteLLM writes it (<c>30d</c>, <c>1mo</c>); see <see cref="Storage.Governance.BudgetDuration"/>.</summary>
    public string? BudgetDuration { get; set; }

    public int? RpmLimit { get; set; }
    public long? TpmLimit { get; set; }
    public int? MaxParallelRequests { get; set; }

    public BudgetDuration? ParsedBudgetDuration =>
        BudgetDuration is { } text && Storage.Governance.BudgetDuration.TryParse(text, out var duration) ? duration : null;
}
