using System.Buffers;

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
