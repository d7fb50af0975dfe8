using System.Globalization;
using Gateway.Apis;
using Gateway.Governance.Budgets;

namespace Gateway.Governance;

/// <summary>
/// Refusals of the governance checks in OpenAI's error shape, with LiteLLM's error types (<c>budget_exceeded</c>,
/// <c>key_model_access_denied</c>, …) so clients written against a LiteLLM proxy can tell them apart.
/// </summary>
internal static class GovernanceErrors
{
    public static OpenAiErrorResult ModelNotAllowed(HolderKind kind, string model, IReadOnlyList<string> allowed)
    {
        var name = LimitHolder.KindName(kind);
        return new(StatusCodes.Status403Forbidden, new OpenAiError(
            $"{name} not allowed to access model. This {name} can only access models=[{string.Join(", ", allowed.Select(m => $"'{m}'"))}]. Tried to access {model}",
            $"{name}_model_access_denied", "model", CallerResolver.ModelAccessDenied));
    }

    public static OpenAiErrorResult Blocked(HolderKind kind, string label) =>
        new(StatusCodes.Status403Forbidden, new OpenAiError(
            $"The {Describe(kind)} '{label}' is blocked. An admin can unblock it through /{UnblockRoute(kind)}/unblock.", "auth_error", null, $"{LimitHolder.KindName(kind)}_blocked"));

    public static OpenAiErrorResult PolicyNotConfigured(string policy) =>
        new(StatusCodes.Status403Forbidden, new OpenAiError(
            $"The caller is mapped to key policy '{policy}', which is not configured.", "auth_error", null, "policy_not_configured"));

    /// <summary>LiteLLM answers an exhausted budget with 429 <c>budget_exceeded</c>; <c>Retry-After</c> says when the period resets.</summary>
    public static OpenAiErrorResult BudgetExceeded(LimitHolder holder, long spentNanos, DateTimeOffset? resetAt, DateTimeOffset now)
    {
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Budget has been exceeded! {Describe(holder.Kind)}={holder.Label} Current cost: {Usd.ToDollars(spentNanos):0.######}, Max budget: {Usd.ToDollars(holder.MaxBudgetNanos ?? 0):0.######}.");
        message += resetAt is { } reset
            ? string.Create(CultureInfo.InvariantCulture, $" The budget resets at {reset.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.")
            : " The budget does not reset; an admin can raise max_budget.";
        return new(StatusCodes.Status429TooManyRequests, new OpenAiError(message, "budget_exceeded", null, "budget_exceeded"),
            resetAt is { } at ? Max(at - now, TimeSpan.FromSeconds(1)) : null);
    }

    public static OpenAiErrorResult RateLimited(LimitHolder holder, LimitKind what, long limit, TimeSpan retryAfter)
    {
        var message = what switch
        {
            LimitKind.Rpm => $"Rate limit exceeded for {Describe(holder.Kind)} '{holder.Label}': {limit} requests per minute.",
            LimitKind.Tpm => $"Rate limit exceeded for {Describe(holder.Kind)} '{holder.Label}': {limit} tokens per minute.",
            _ => $"Max parallel request limit reached for {Describe(holder.Kind)} '{holder.Label}': {limit} requests at a time.",
        };
        return new(StatusCodes.Status429TooManyRequests, new OpenAiError(message, "rate_limit_error", null, "rate_limit_exceeded"), Max(retryAfter, TimeSpan.FromSeconds(1)));
    }

    public static OpenAiErrorResult CountersUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "Budgets and rate limits cannot be checked now (the shared counters are unreachable); try again shortly.", "service_unavailable", null, "limits_unavailable"),
            TimeSpan.FromSeconds(2));

    public static OpenAiErrorResult StoreUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
            "The key store is unreachable and this caller is not cached yet; try again shortly.", "service_unavailable", null, "key_store_unavailable"),
            TimeSpan.FromSeconds(2));

    public static string Describe(HolderKind kind) => kind switch
    {
        HolderKind.Key => "Key",
        HolderKind.Team => "Team",
        HolderKind.User => "User",
        HolderKind.EndUser => "End user",
        HolderKind.Policy => "Policy",
        _ => "Proxy",
    };

    private static string UnblockRoute(HolderKind kind) => kind switch
    {
        HolderKind.Team => "team",
        HolderKind.EndUser => "customer",
        _ => "key",
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>Which limit of a holder a counter charge enforces.</summary>
internal enum LimitKind
{
    Rpm,
    Tpm,
    Parallel,
    Budget,
}
