using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>The gateway's admin credential, read from <c>LITELLM_MASTER_KEY</c> as LiteLLM does.</summary>
public sealed class MasterKeyOptions
{
    // LiteLLM checks the prefix only; its own examples (and seed deployments) use the 7-character sk-1234.
    internal const string Requirement = "must start with 'sk-', as with LiteLLM";

    [ConfigurationKeyName("LITELLM_MASTER_KEY")]
    public string? MasterKey { get; set; }

    internal static bool IsAcceptable(string key) => key.StartsWith("sk-", StringComparison.Ordinal) && key.Length > 3;
}

internal sealed class MasterKeyOptionsValidator : IValidateOptions<MasterKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, MasterKeyOptions options) =>
        options.MasterKey is { } key && !MasterKeyOptions.IsAcceptable(key)
            ? ValidateOptionsResult.Fail($"LITELLM_MASTER_KEY {MasterKeyOptions.Requirement}.")
            : ValidateOptionsResult.Success;
}
