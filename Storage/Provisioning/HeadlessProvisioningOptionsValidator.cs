using Microsoft.Extensions.Options;

namespace Storage.Provisioning;

/// <summary>Stops start-up when the LANGFUSE_INIT_* variables ask for something their dependencies do not allow.</summary>
internal sealed class HeadlessProvisioningOptionsValidator : IValidateOptions<HeadlessProvisioningOptions>
{
    public ValidateOptionsResult Validate(string? name, HeadlessProvisioningOptions options)
    {
        var failures = new List<string>();
        var hasOrganization = !string.IsNullOrWhiteSpace(options.OrganizationId);

        if (options.WantsProject && !hasOrganization)
        {
            failures.Add("LANGFUSE_INIT_PROJECT_ID is set but LANGFUSE_INIT_ORG_ID is not: a project belongs to an organisation.");
        }

        if (options.WantsUser && !hasOrganization)
        {
            failures.Add("LANGFUSE_INIT_USER_EMAIL is set but LANGFUSE_INIT_ORG_ID is not: the initial user owns an organisation.");
        }

        if (options.WantsApiKey)
        {
            if (!options.WantsProject)
            {
                failures.Add("LANGFUSE_INIT_PROJECT_PUBLIC_KEY/SECRET_KEY are set but LANGFUSE_INIT_PROJECT_ID is not: keys belong to a project.");
            }

            if (string.IsNullOrWhiteSpace(options.ProjectPublicKey) || string.IsNullOrWhiteSpace(options.ProjectSecretKey))
            {
                failures.Add("LANGFUSE_INIT_PROJECT_PUBLIC_KEY and LANGFUSE_INIT_PROJECT_SECRET_KEY must be set together.");
            }
        }

        if (options.WantsUser && (string.IsNullOrWhiteSpace(options.UserEmail) || string.IsNullOrWhiteSpace(options.UserPassword)))
        {
            failures.Add("LANGFUSE_INIT_USER_EMAIL and LANGFUSE_INIT_USER_PASSWORD must be set together.");
        }

        if (options.ProjectRetentionDays is <= 0)
        {
            failures.Add("LANGFUSE_INIT_PROJECT_RETENTION must be a positive number of days, or unset to keep data forever.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
