using System.Security.Claims;
using Gateway.Apis;
using Gateway.Authentication;
using Gateway.Governance.Caching;
using Gateway.Governance.Policies;
using Gateway.Routing;
using Storage;

namespace Gateway.Governance;

/// <summary>
/// Who a call counts against, from the claims every caller scheme produces: a virtual key with its team and user;
/// an Entra ID caller's team, user and named policy; and for every caller the end user named in the call and the
/// proxy-wide budget. Refuses a call for a model the key, team, user or policy does not allow, or a blocked party.
/// </summary>
internal sealed partial class CallerResolver(GovernanceLookup lookup, KeyPolicyRegistry policies, ModelCatalog catalog, ILogger<CallerResolver> logger)
{
    public const string ModelAccessDenied = "model_access_denied";

    public async ValueTask<ResolvedCaller> ResolveAsync(HttpContext context, string model, string? endUser, CancellationToken cancellationToken)
    {
        var principal = context.User;
        var holders = new List<LimitHolder>(4);
        KeySnapshot? key = null;
        string? teamId = Claim(principal, GatewayClaims.TeamId), userId = Claim(principal, GatewayClaims.UserId);
        try
        {
            if (Claim(principal, GatewayClaims.CallerKind) == GatewayClaims.Kinds.VirtualKey)
            {
                key = context.Items[VirtualKeyAuthenticationHandler.SnapshotItem] as KeySnapshot
                    ?? (Claim(principal, GatewayClaims.KeyId) is { } token ? await lookup.KeyAsync(token, cancellationToken) : null);
                if (key is null)
                {
                    return ResolvedCaller.Refused(OpenAiErrors.InvalidKey());
                }

                if (!ModelAccess.Allows(key.Models, model))
                {
                    return ResolvedCaller.Refused(GovernanceErrors.ModelNotAllowed(HolderKind.Key, model, key.Models));
                }

                holders.Add(key.Limits);
                teamId = key.TeamId;
                userId = key.UserId;
            }

            var teamRestricts = false;
            if (teamId is not null && await lookup.TeamAsync(teamId, cancellationToken) is { } team)
            {
                if (team.Blocked)
                {
                    return ResolvedCaller.Refused(GovernanceErrors.Blocked(HolderKind.Team, team.Alias ?? team.TeamId));
                }

                // A key's own list narrows its team's; a key without one (or with all-team-models) gets the team's.
                if ((key is null || ModelAccess.IsOpen(key.Models)) && !ModelAccess.Allows(team.Models, model))
                {
                    return ResolvedCaller.Refused(GovernanceErrors.ModelNotAllowed(HolderKind.Team, model, team.Models));
                }

                teamRestricts = !ModelAccess.IsOpen(team.Models);
                holders.Add(team.Limits);
            }

            if (userId is not null && await lookup.UserAsync(userId, cancellationToken) is { } user)
            {
                // As in LiteLLM, a user's model list governs their personal keys; team keys follow the team.
                if (!teamRestricts && teamId is null && (key is null || ModelAccess.IsOpen(key.Models)) && !ModelAccess.Allows(user.Models, model))
                {
                    return ResolvedCaller.Refused(GovernanceErrors.ModelNotAllowed(HolderKind.User, model, user.Models));
                }

                holders.Add(user.Limits);
            }

            if (Claim(principal, GatewayClaims.PolicyName) is { } policyName)
            {
                if (policies.Find(policyName) is not { } policy || policies.LimitsOf(policyName) is not { } policyLimits)
                {
                    return ResolvedCaller.Refused(GovernanceErrors.PolicyNotConfigured(policyName));
                }

                if (!ModelAccess.Allows(policy.Models, model))
                {
                    return ResolvedCaller.Refused(GovernanceErrors.ModelNotAllowed(HolderKind.Policy, model, policy.Models));
                }

                holders.Add(policyLimits);
            }
        }
        catch (StorageUnavailableException)
        {
            return ResolvedCaller.Refused(GovernanceErrors.StoreUnavailable());
        }

        if (endUser is not null && await EndUserLimitsAsync(endUser, cancellationToken) is var (endUserLimits, blocked))
        {
            if (blocked)
            {
                return ResolvedCaller.Refused(GovernanceErrors.Blocked(HolderKind.EndUser, endUser));
            }

            if (endUserLimits is not null)
            {
                holders.Add(endUserLimits);
            }
        }

        if (await GlobalLimitsAsync(cancellationToken) is { } global)
        {
            holders.Add(global);
        }

        var governance = new CallGovernance
        {
            KeyToken = key?.Token,
            KeyAlias = key?.Alias,
            TeamId = teamId,
            UserId = userId,
            EndUser = endUser,
        };
        return new ResolvedCaller(governance, holders, null);
    }

    /// <summary>Whether the caller's key, team, user and policy allow <paramref name="model"/> (for model listings).</summary>
    public async ValueTask<bool> MayCallAsync(HttpContext context, string model, CancellationToken cancellationToken) =>
        (await ResolveAsync(context, model, endUser: null, cancellationToken)).Refusal?.Value.Error.Code != ModelAccessDenied;

    /// <summary>
    /// The end user's own budget and limits, else <c>litellm_settings.max_end_user_budget</c>. An end user the store
    /// cannot be asked about gets the default: the end user is the caller's claim, not the gateway's credential.
    /// </summary>
    private async ValueTask<(LimitHolder? Limits, bool Blocked)> EndUserLimitsAsync(string endUser, CancellationToken cancellationToken)
    {
        EndUserSnapshot? known = null;
        try
        {
            known = await lookup.EndUserAsync(endUser, cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogEndUserUnchecked(logger, exception.Message);
        }

        if (known is not null)
        {
            var limits = known.Limits.MaxBudgetNanos is null && catalog.Config.LiteLlmSettings.MaxEndUserBudget is { } fallback
                ? known.Limits with { MaxBudgetNanos = Usd.ToNanos((double)fallback) }
                : known.Limits;
            return (limits.HasLimits ? limits : null, known.Blocked);
        }

        return catalog.Config.LiteLlmSettings.MaxEndUserBudget is { } budget
            ? (new LimitHolder(HolderKind.EndUser, endUser, endUser, Usd.ToNanos((double)budget), null, null, null, 0, null, null, null), false)
            : (null, false);
    }

    /// <summary><c>litellm_settings.max_budget</c> over <c>budget_duration</c>: every call through the proxy counts against it.</summary>
    private async ValueTask<LimitHolder?> GlobalLimitsAsync(CancellationToken cancellationToken)
    {
        var settings = catalog.Config.LiteLlmSettings;
        if (settings.MaxBudget is not { } max)
        {
            return null;
        }

        BudgetStateSnapshot? state = null;
        try
        {
            state = await lookup.GlobalBudgetAsync(cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            LogGlobalBudgetUnread(logger, exception.Message);
        }

        return new LimitHolder(
            HolderKind.Global, "global", "global", Usd.ToNanos((double)max), null,
            settings.BudgetDuration, settings.BudgetDuration is null ? null : state?.ResetAt,
            state is null ? 0 : Usd.ToNanos(state.Spend), null, null, null);
    }

    private static string? Claim(ClaimsPrincipal principal, string type) => principal.FindFirst(type)?.Value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "End user limits not read (relational store unreachable): the default end-user budget applies ({Reason})")]
    private static partial void LogEndUserUnchecked(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy budget state not read (relational store unreachable): counting from the shared counters alone ({Reason})")]
    private static partial void LogGlobalBudgetUnread(ILogger logger, string reason);
}

/// <summary>The holders a call counts against, or why it is refused.</summary>
internal readonly record struct ResolvedCaller(CallGovernance? Governance, List<LimitHolder> Holders, OpenAiErrorResult? Refusal)
{
    public static ResolvedCaller Refused(OpenAiErrorResult refusal) => new(null, [], refusal);
}
