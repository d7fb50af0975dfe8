using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Storage.Governance.Keys;

/// <summary>
/// A virtual key's token: the SHA-256 of the key, in lower-case hex, as LiteLLM stores it. Generated keys carry 256
/// random bits, so an unsalted hash resists guessing and lets a key be found by its hash in one look-up.
/// </summary>
public static class VirtualKeyHasher
{
    /// <summary>Gateway keys (master and virtual) start with this, as LiteLLM's do; anything else in a bearer header is an Entra ID token.</summary>
    public const string KeyPrefix = "sk-";
    public const int TokenLength = 64;

    public static bool HasKeyShape(string credential) => credential.StartsWith(KeyPrefix, StringComparison.Ordinal);

    public static string Token(string key)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[512];
            var written = Encoding.UTF8.GetBytes(key, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True for a value that is already a token (64 hex digits) rather than a key.</summary>
    public static bool IsToken(string value) => value.Length == TokenLength && value.All(char.IsAsciiHexDigit);
}
