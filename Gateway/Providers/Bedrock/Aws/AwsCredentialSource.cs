using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Gateway.Providers.Bedrock.Aws;

/// <summary>
/// Where a <c>bedrock/</c> deployment's AWS credentials come from, in LiteLLM's order: the deployment's
/// <c>aws_access_key_id</c>/<c>aws_secret_access_key</c> (+ <c>aws_session_token</c>); its <c>aws_profile_name</c>;
/// the <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c> settings; otherwise the AWS SDK's
/// default chain (<c>AWS_PROFILE</c> and the shared files, web identity for IRSA on EKS, SSO, container and instance
/// metadata). With <c>aws_role_name</c>, whatever was found assumes that role through STS. Temporary credentials
/// are refreshed by the SDK before they expire. <see cref="Description"/> names the source, never a secret.
/// </summary>
internal sealed class AwsCredentialSource
{
    private readonly Func<AWSCredentials> _create;
    private readonly Lock _gate = new();
    private AWSCredentials? _credentials;

    private AwsCredentialSource(string description, Func<AWSCredentials> create)
    {
        Description = description;
        _create = create;
    }

    public string Description { get; }

    /// <summary>Current credentials; throws <see cref="AmazonClientException"/> when the source has none (and tries again next time).</summary>
    public async ValueTask<ImmutableCredentials> GetAsync()
    {
        var credentials = Volatile.Read(ref _credentials);
        if (credentials is null)
        {
            lock (_gate)
            {
                credentials = _credentials ??= _create();
            }
        }

        return await credentials.GetCredentialsAsync();
    }

    /// <param name="setting">A value of the deployment's <c>litellm_params</c>, else null.</param>
    /// <param name="environment">Configuration and environment variables, as <c>os.environ/</c> reads them.</param>
    public static AwsCredentialSource From(Func<string, string?> setting, Func<string, string?> environment)
    {
        var source = Base(setting, environment);
        if (setting("aws_role_name") is { Length: > 0 } role)
        {
            var sessionName = setting("aws_session_name") ?? environment("AWS_SESSION_NAME") ?? "llm-gateway";
            var options = new AssumeRoleAWSCredentialsOptions { ExternalId = setting("aws_external_id") };
            var inner = source;
            source = new AwsCredentialSource($"role {role} assumed with {inner.Description}",
                () => new AssumeRoleAWSCredentials(inner._create(), role, sessionName, options));
        }

        return source;
    }

    private static AwsCredentialSource Base(Func<string, string?> setting, Func<string, string?> environment)
    {
        if (setting("aws_access_key_id") is { Length: > 0 } keyId && setting("aws_secret_access_key") is { Length: > 0 } secret)
        {
            return Static("the deployment's aws_access_key_id", keyId, secret, setting("aws_session_token"));
        }

        if (setting("aws_profile_name") is { Length: > 0 } profile)
        {
            var file = environment("AWS_SHARED_CREDENTIALS_FILE");
            return new AwsCredentialSource($"profile {profile}", () =>
                new CredentialProfileStoreChain(string.IsNullOrEmpty(file) ? null : file).TryGetAWSCredentials(profile, out var credentials)
                    ? credentials
                    : throw new AmazonClientException($"AWS profile '{profile}' was not found in the shared credentials or config file"));
        }

        if (environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } envKeyId && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } envSecret)
        {
            return Static("AWS_ACCESS_KEY_ID", envKeyId, envSecret, environment("AWS_SESSION_TOKEN"));
        }

        return new AwsCredentialSource("the AWS default credential chain", () => DefaultAWSCredentialsIdentityResolver.GetCredentials());
    }

    private static AwsCredentialSource Static(string description, string keyId, string secret, string? token) =>
        new(description, () => string.IsNullOrEmpty(token) ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, token));

    public override string ToString() => Description;
}
