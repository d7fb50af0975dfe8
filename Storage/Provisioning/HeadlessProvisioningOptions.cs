using Microsoft.Extensions.Configuration;

namespace Storage.Provisioning;

/// <summary>
/// Langfuse's headless initialisation variables: an organisation, optionally a project with an API key pair
/// and an owner, created at start when absent. Bound from the configuration root, so environment variables
/// of the same names apply.
/// </summary>
public sealed class HeadlessProvisioningOptions
{
    [ConfigurationKeyName("LANGFUSE_INIT_ORG_ID")] public string? OrganizationId { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_ORG_NAME")] public string? OrganizationName { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_PROJECT_ID")] public string? ProjectId { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_PROJECT_NAME")] public string? ProjectName { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_PROJECT_RETENTION")] public int? ProjectRetentionDays { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_PROJECT_PUBLIC_KEY")] public string? ProjectPublicKey { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_PROJECT_SECRET_KEY")] public string? ProjectSecretKey { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_USER_EMAIL")] public string? UserEmail { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_USER_NAME")] public string? UserName { get; set; }
    [ConfigurationKeyName("LANGFUSE_INIT_USER_PASSWORD")] public string? UserPassword { get; set; }

    internal bool WantsProject => !string.IsNullOrWhiteSpace(ProjectId);
    internal bool WantsApiKey => !string.IsNullOrWhiteSpace(ProjectPublicKey) || !string.IsNullOrWhiteSpace(ProjectSecretKey);
    internal bool WantsUser => !string.IsNullOrWhiteSpace(UserEmail) || !string.IsNullOrWhiteSpace(UserPassword);
}
