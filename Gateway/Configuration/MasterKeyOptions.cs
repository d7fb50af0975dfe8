using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>The gateway's admin credential, read from <c>LITELLM_MASTER_KEY</c> as LiteLLM does.</summary>
public sealed class MasterKeyOptions
{
    [ConfigurationKeyName("LITELLM_MASTER_KEY")]
    public string? MasterKey { get; set; }
}

internal sealed class MasterKeyOptionsValidator : IValidateOptions<MasterKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, MasterKeyOptions options) =>
        options.MasterKey is { } key && (!key.StartsWith("sk-", StringComparison.Ordinal) || key.Length < 8)
            ? ValidateOptionsResult.Fail("LITELLM_MASTER_KEY must start with 'sk-' and be at least 8 characters long, as with LiteLLM.")
            : ValidateOptionsResult.Success;
}
