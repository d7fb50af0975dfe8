using Storage.Governance.Keys;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>The fields keys, teams, users and end users share, applied from a request with LiteLLM's names.</summary>
public static class BudgetFields
{
    /// <summary>
    /// Applies <c>spend</c>, <c>max_budget</c>, <c>budget_duration</c> (which starts a new period now),
    /// <c>tpm_limit</c>, <c>rpm_limit</c>, <c>max_parallel_requests</c> and <c>metadata</c> when given.
    /// </summary>
    public static void Apply(ManagementRequest request, BudgetedEntity entity, DateTimeOffset now)
    {
        if (request.Money("spend") is { } spend)
        {
            entity.Spend = spend;
            entity.SpendSetAt = now.UtcDateTime;
        }

        if (request.Money("max_budget") is { } maxBudget)
        {
            entity.MaxBudget = maxBudget;
        }

        if (request.Duration("budget_duration") is { } duration)
        {
            entity.BudgetDuration = duration.ToString();
            entity.BudgetResetAt = duration.After(now).UtcDateTime;
        }

        if (request.Count("tpm_limit") is { } tpm)
        {
            entity.TpmLimit = tpm;
        }

        if (request.Count("rpm_limit") is { } rpm)
        {
            entity.RpmLimit = rpm;
        }

        if (request.Count("max_parallel_requests") is { } parallel)
        {
            entity.MaxParallelRequests = (int)parallel;
        }

        if (request.Object("metadata") is { } metadata)
        {
            entity.Metadata = ManagementJson.MetadataText(metadata);
        }
    }

    /// <summary>A model allow-list: every entry a model group of the config, a wildcard or one of LiteLLM's special names.</summary>
    public static List<string>? Models(ManagementRequest request, IGatewayModels gatewayModels)
    {
        if (request.StringList("models") is not { } models)
        {
            return null;
        }

        foreach (var model in models)
        {
            var known = model is "*" or ModelAccess.AllProxyModels or ModelAccess.AllTeamModels || gatewayModels.Serves(model);
            if (!known)
            {
                throw new ManagementRequestException(
                    $"models: '{model}' is not a model of this gateway (known: {string.Join(", ", gatewayModels.Names)}).", "models");
            }
        }

        return models;
    }

    /// <summary>LiteLLM fields of keys, teams and users that this gateway does not enforce: refused when set.</summary>
    public static readonly string[] Unsupported =
    [
        "aliases", "config", "permissions", "model_max_budget", "model_rpm_limit", "model_tpm_limit", "guardrails",
        "allowed_cache_controls", "enforced_params", "allowed_routes", "budget_id", "organization_id", "object_permission",
        "model_aliases", "router_settings", "prompts", "allowed_passthrough_routes",
    ];
}
