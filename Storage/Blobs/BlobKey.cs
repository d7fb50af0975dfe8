using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Storage.Blobs;

/// <summary>
/// The keys every blob store accepts: slash-separated segments of letters, digits and <c>- _ . =</c>, no empty,
/// <c>.</c> or <c>..</c> segment. Narrow on purpose: the same key must be a safe relative path and a plain S3 key.
/// </summary>
public static class BlobKey
{
    public const int MaxLength = 1024;
    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=/");

    public static string Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength || key.AsSpan().ContainsAnyExcept(Allowed))
        {
            throw new ArgumentException($"Blob key '{key}' must be 1-{MaxLength} characters of letters, digits, '-', '_', '.', '=' and '/'.", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new ArgumentException($"Blob key '{key}' has an empty, '.' or '..' segment.", nameof(key));
            }
        }

        return key;
    }

    /// <summary>
    /// One key segment for an arbitrary identifier: the identifier itself when it is short and made of safe
    /// characters, otherwise a stable hash of it (ids from clients may hold any character and up to 800 of them).
    /// </summary>
    public static string Segment(string identifier)
    {
        var safe = identifier.Length is > 0 and <= 128 && identifier is not "." and not ".."
            && !identifier.Contains('/') && !identifier.AsSpan().ContainsAnyExcept(Allowed);
        return safe ? identifier : "h-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identifier)))[..40];
    }

    /// <summary>Prefixes may end with '/' or be empty; otherwise the same characters as keys.</summary>
    public static string ValidatePrefix(string prefix)
    {
        if (prefix.Length > 0)
        {
            Validate(prefix.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : throw new ArgumentException("A prefix cannot be only slashes.", nameof(prefix)));
        }

        return prefix;
    }
}
