using System.Security.Cryptography;

namespace Storage.Security;

/// <summary>Generates the credentials the platform hands out: prefix plus 32 random bytes, URL-safe.</summary>
public static class SecretGenerator
{
    public const string ProjectPublicKeyPrefix = "pk-lf-";
    public const string ProjectSecretKeyPrefix = "sk-lf-";
    public const string GatewayKeyPrefix = "sk-";

    public static string Generate(string prefix) =>
        prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
