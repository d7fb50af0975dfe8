using System.Globalization;
using System.Security.Cryptography;
using Amazon.Runtime.Internal.Auth;

namespace TestInfrastructure;

/// <summary>
/// Checks a request's AWS Signature Version 4 the way AWS does: the credential scope must name a known access
/// key, the expected region and service, and the signature must equal one recomputed with the secret key. The
/// canonical request is built by the AWS SDK for .NET's own signer (the path's model id as a double-encoded path
/// resource, as the SDK's Bedrock client does), so the gateway's signer is checked against an implementation it
/// does not share.
/// </summary>
internal sealed class SigV4Verifier(string accessKeyId, string secretKey, string? sessionToken, string region, string service)
{
    public const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /// <summary>Null when the signature is valid, else the AWS error type and message to answer with.</summary>
    public (string Type, string Message)? Verify(string method, string resourcePath, IReadOnlyDictionary<string, string> pathResources,
        IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now)
    {
        if (!headers.TryGetValue("authorization", out var authorization) || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var fields = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
        {
            return ("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0] != accessKeyId)
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scope[2] != region || scope[3] != service || scope[4] != "aws4_request")
        {
            return ("InvalidSignatureException", $"Credential should be scoped to a valid region and service: '{region}', '{service}'.");
        }

        if (!headers.TryGetValue("x-amz-date", out var amzDate)
            || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return ("IncompleteSignatureException", "Date must be in ISO-8601 'basic format'.");
        }

        if (Math.Abs((now.UtcDateTime - signedAt).TotalMinutes) > 5)
        {
            return ("InvalidSignatureException", "Signature expired: the request time is more than 5 minutes from the server time.");
        }

        if (sessionToken is not null && (!headers.TryGetValue("x-amz-security-token", out var token) || token != sessionToken))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var signed = signedHeaders.Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date") || (sessionToken is not null && !signed.Contains("x-amz-security-token")))
        {
            return ("InvalidSignatureException", "'Host' and 'X-Amz-Date' (and 'X-Amz-Security-Token') must be signed.");
        }

        var canonicalHeaders = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in signed)
        {
            canonicalHeaders[name] = headers.TryGetValue(name, out var value) ? value : string.Empty;
        }

        var canonicalRequest = SdkSigner.Canonical(
            new Uri("https://" + canonicalHeaders["host"]), resourcePath, method, canonicalHeaders,
            Convert.ToHexStringLower(SHA256.HashData(body)), pathResources.ToDictionary());
        var expected = AWS4Signer.ComputeSignature(accessKeyId, secretKey, region, signedAt, service, signedHeaders, canonicalRequest).Signature;
        return string.Equals(expected, signature, StringComparison.Ordinal) ? null : ("InvalidSignatureException", SignatureMismatch);
    }

    /// <summary>Reaches the SDK signer's canonicalisation, which it exposes to subclasses only.</summary>
    private sealed class SdkSigner : AWS4Signer
    {
        public static string Canonical(Uri endpoint, string resourcePath, string method, IDictionary<string, string> headers, string bodyHash, IDictionary<string, string> pathResources) =>
            CanonicalizeRequest(endpoint, resourcePath, method, headers, string.Empty, bodyHash, pathResources, true);
    }
}
