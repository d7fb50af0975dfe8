using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// The credentials the platform generates for itself, in Secrets Manager (CloudFormation cannot create SSM
/// SecureString parameters): the gateway's master key, the Langfuse key pair the gateway sends traces with,
/// ClickHouse's passwords. The ExternalSecrets add the sk-, pk-lf- and sk-lf- prefixes.
/// </summary>
public sealed class PlatformSecrets : Construct
{
    public PlatformSecrets(Construct scope, string id, IKey key) : base(scope, id)
    {
        foreach (var name in PlatformNames.GeneratedSecrets.Except([PlatformNames.RedisAuthSecret]))
        {
            _ = new Secret(this, name[(name.IndexOf('/') + 1)..], new SecretProps
            {
                SecretName = name,
                EncryptionKey = key,
                GenerateSecretString = new SecretStringGenerator { PasswordLength = 48, ExcludePunctuation = true },
            });
        }
    }
}
