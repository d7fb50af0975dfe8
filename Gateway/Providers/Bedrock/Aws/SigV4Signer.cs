using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace Gateway.Providers.Bedrock.Aws;

/// <summary>
/// AWS Signature Version 4 for one service in one region, as the AWS General Reference specifies it: a canonical
/// request (path segments encoded twice, as every service but S3 expects), a string to sign over its SHA-256,
/// and an HMAC chain from the secret key. The derived key is kept for the day it is valid for.
/// </summary>
internal sealed class SigV4Signer(string region, string service)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    // Replaced whole (a reference write is atomic), so concurrent signers never see half an entry.
    private DerivedKey? _signingKey;

    public string Region => region;

    /// <summary>
    /// Adds <c>x-amz-date</c>, <c>x-amz-security-token</c> (temporary credentials) and <c>Authorization</c> to
    /// <paramref name="request"/>, signing its method, URL, <c>host</c>, <c>content-type</c> and <paramref name="body"/>.
    /// </summary>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, ImmutableCredentials credentials, DateTimeOffset now)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var uri = request.RequestUri!;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = HostHeader(uri),
            ["x-amz-date"] = amzDate,
        };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }

        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = CanonicalRequest(request.Method.Method, uri.AbsolutePath, uri.Query, headers, signedHeaders, body);
        var signature = Signature(credentials, amzDate, canonicalRequest);

        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        if (credentials.UseToken)
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.Token);
        }

        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={credentials.AccessKey}/{Scope(amzDate[..8])}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>The hex signature of <paramref name="canonicalRequest"/> made at <paramref name="amzDate"/> (<c>yyyyMMddTHHmmssZ</c>).</summary>
    public string Signature(ImmutableCredentials credentials, string amzDate, string canonicalRequest)
    {
        var date = amzDate[..8];
        var stringToSign = $"{Algorithm}\n{amzDate}\n{Scope(date)}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        return Hex(HMACSHA256.HashData(SigningKey(credentials, date), Encoding.UTF8.GetBytes(stringToSign)));
    }

    private string Scope(string date) => $"{date}/{region}/{service}/aws4_request";

    private byte[] SigningKey(ImmutableCredentials credentials, string date)
    {
        if (_signingKey is { } cached && cached.Date == date && cached.AccessKey == credentials.AccessKey && cached.SecretKey == credentials.SecretKey)
        {
            return cached.Key;
        }

        var key = DeriveSigningKey(credentials.SecretKey, date, region, service);
        _signingKey = new DerivedKey(credentials.AccessKey, credentials.SecretKey, date, key);
        return key;
    }

    public static byte[] DeriveSigningKey(string secretKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <param name="path">The path as sent, already percent-encoded.</param>
    /// <param name="query">The query as sent, with or without its leading <c>?</c>.</param>
    public static string CanonicalRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, string signedHeaders, ReadOnlySpan<byte> body)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n');
        builder.Append(CanonicalPath(path)).Append('\n');
        builder.Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            builder.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n');
        builder.Append(Hex(SHA256.HashData(body)));
        return builder.ToString();
    }

    /// <summary>Each segment of the already-encoded path encoded once more (so <c>%3A</c> becomes <c>%253A</c>).</summary>
    private static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(UriEncode));
    }

    private static string CanonicalQuery(string query)
    {
        query = query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=');
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
                return (Name: UriEncode(Uri.UnescapeDataString(name)), Value: UriEncode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: only unreserved characters stay, hex digits upper case.</summary>
    public static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (ch != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }

    /// <summary>The <c>Host</c> header HttpClient sends for <paramref name="uri"/>: the port only when it is not the scheme's default.</summary>
    public static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A class, not a record: a generated <c>ToString</c> would print the secret.</summary>
    private sealed class DerivedKey(string accessKey, string secretKey, string date, byte[] key)
    {
        public string AccessKey => accessKey;
        public string SecretKey => secretKey;
        public string Date => date;
        public byte[] Key => key;
    }
}
