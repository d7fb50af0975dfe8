using System.Security.Cryptography;
using System.Text;

namespace Storage.Security;

/// <summary>
/// Hashes generated API secrets. They carry at least 128 random bits, so a salted SHA-256 resists offline
/// guessing as well as a slow KDF would, and verification stays cheap enough for every request.
/// </summary>
public static class ApiKeySecretHasher
{
    private const int SaltLength = 16;

    public static (byte[] Salt, byte[] Hash) Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return (salt, Hash(secret, salt));
    }

    public static bool Verify(string secret, byte[] salt, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret, salt), expectedHash);

    private static byte[] Hash(string secret, byte[] salt)
    {
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var input = new byte[salt.Length + secretBytes.Length];
        salt.CopyTo(input, 0);
        secretBytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }

    /// <summary>The part of a secret a UI may show: its prefix and last four characters.</summary>
    public static string Display(string secret)
    {
        var prefixEnd = secret.StartsWith("sk-lf-", StringComparison.Ordinal) ? 6 : Math.Min(3, secret.Length / 4);
        var tail = secret.Length > 8 ? secret[^4..] : string.Empty;
        return $"{secret[..prefixEnd]}...{tail}";
    }
}
