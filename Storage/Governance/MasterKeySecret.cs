using System.Security.Cryptography;
using System.Text;

namespace Storage.Governance;

/// <summary>Compares a presented secret with the master key in constant time (equal-length hashes, so neither length nor content leaks).</summary>
public static class MasterKeySecret
{
    public static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
