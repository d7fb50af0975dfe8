using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication.Entra;

/// <summary>Checks the Entra ID settings at start, so a wrong one stops the gateway with its key named instead of failing calls.</summary>
internal sealed class EntraIdOptionsValidation(IConfiguration configuration, IOptions<EntraCallerPolicies> policies) : IValidateOptions<EntraIdOptions>
{
    public ValidateOptionsResult Validate(string? name, EntraIdOptions options)
    {
        var errors = new List<string>();
        if (options.Enabled)
        {
            var azureAd = configuration.GetSection(EntraIdOptions.AzureAdSectionName);
            if (string.IsNullOrWhiteSpace(azureAd["ClientId"]))
            {
                errors.Add("AzureAd:ClientId is required (the gateway's application id; tokens must be issued for it).");
            }

            if (string.IsNullOrWhiteSpace(azureAd["Authority"]) && (string.IsNullOrWhiteSpace(azureAd["Instance"]) || string.IsNullOrWhiteSpace(azureAd["TenantId"])))
            {
                errors.Add("AzureAd:Instance (https://login.microsoftonline.com/) and AzureAd:TenantId are required.");
            }
        }
        else if (options.Mappings.Count > 0 || options.DefaultPolicy is not null || options.DefaultTeamId is not null)
        {
            errors.Add($"{EntraIdOptions.SectionName} maps Entra ID callers, but there is no AzureAd section to validate their tokens.");
        }

        if (options.TokenCacheSize <= 0)
        {
            errors.Add($"{EntraIdOptions.SectionName}:TokenCacheSize must be positive.");
        }

        if (options.DefaultPolicy is { } defaultPolicy && policies.Value.Find(defaultPolicy) is null)
        {
            errors.Add($"{EntraIdOptions.SectionName}:DefaultPolicy names '{defaultPolicy}', which is not under {EntraIdOptions.SectionName}:Policies.");
        }

        for (var i = 0; i < options.Mappings.Count; i++)
        {
            var mapping = options.Mappings[i];
            var at = $"{EntraIdOptions.SectionName}:Mappings:{i}";
            if (mapping.Roles.Length + mapping.Groups.Length + mapping.ClientIds.Length == 0)
            {
                errors.Add($"{at} matches nothing: give Roles, Groups or ClientIds.");
            }

            if (mapping.TeamId is null && mapping.Policy is null)
            {
                errors.Add($"{at} maps to nothing: give TeamId, Policy or both.");
            }

            if (mapping.Policy is { } policy && policies.Value.Find(policy) is null)
            {
                errors.Add($"{at}:Policy names '{policy}', which is not under {EntraIdOptions.SectionName}:Policies.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the named key policies at start.</summary>
internal sealed class EntraCallerPoliciesValidation : IValidateOptions<EntraCallerPolicies>
{
    public ValidateOptionsResult Validate(string? name, EntraCallerPolicies options)
    {
        var errors = new List<string>();
        foreach (var (policyName, policy) in options.Policies)
        {
            var at = $"{EntraIdOptions.SectionName}:Policies:{policyName}";
            if (policy.Models.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{at}:Models has an empty entry.");
            }

            if (policy.MaxBudget < 0 || policy.SoftBudget < 0)
            {
                errors.Add($"{at}: MaxBudget and SoftBudget cannot be negative.");
            }

            if (policy.BudgetDuration is { } duration && !BudgetDuration.TryParse(duration, out _))
            {
                errors.Add($"{at}:BudgetDuration '{duration}' is not a duration like 30s, 30m, 30h, 30d or 1mo.");
            }

            if (policy.RpmLimit <= 0 || policy.TpmLimit <= 0 || policy.MaxParallelRequests <= 0)
            {
                errors.Add($"{at}: RpmLimit, TpmLimit and MaxParallelRequests must be positive when set.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
