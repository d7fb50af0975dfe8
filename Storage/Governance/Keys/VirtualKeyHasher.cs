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
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        return Token(hash);
    }

    /// <summary>The token of the key whose <see cref="Hash"/> is <paramref name="hash"/>.</summary>
    public static string Token(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>Writes the SHA-256 of the key's UTF-8 bytes (<see cref="SHA256.HashSizeInBytes"/>) to <paramref name="destination"/>, allocating nothing for keys of usual length.</summary>
    public static void Hash(string key, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[512];
            var written = Encoding.UTF8.GetBytes(key, bytes);
            SHA256.HashData(bytes[..written], destination);
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
