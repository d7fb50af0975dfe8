using System.Security.Cryptography;
using Storage.Governance.Keys;

namespace Storage.Governance;

/// <summary>Compares a presented secret with the master key in constant time (equal-length hashes, so neither length nor content leaks).</summary>
public static class MasterKeySecret
{
    public static bool Matches(string presented, string expected)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        VirtualKeyHasher.Hash(presented, hash);
        return Matches(hash, expected);
    }

    /// <summary>The same comparison for a secret already hashed with <see cref="VirtualKeyHasher.Hash"/> (a key checked as both).</summary>
    public static bool Matches(ReadOnlySpan<byte> presentedHash, string expected)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        VirtualKeyHasher.Hash(expected, hash);
        return CryptographicOperations.FixedTimeEquals(presentedHash, hash);
    }
}
