namespace Gateway.Authentication;

/// <summary>The credential a caller presents, where OpenAI and Azure SDKs put it: <c>Authorization: Bearer</c>, <c>api-key</c> or <c>x-api-key</c>.</summary>
internal static class CallerCredential
{
    private const string BearerPrefix = "Bearer ";

    public static string? Read(HttpRequest request) =>
        BearerToken(request)
        ?? (request.Headers["api-key"] is { Count: > 0 } apiKey ? apiKey.ToString()
            : request.Headers["x-api-key"] is { Count: > 0 } xApiKey ? xApiKey.ToString()
            : null);

    public static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.Length > BearerPrefix.Length && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    /// <summary>True when the caller sent a bearer token that is not a gateway key: one for the Entra ID scheme.</summary>
    public static bool HasEntraToken(HttpRequest request) =>
        BearerToken(request) is { Length: > 0 } token && !VirtualKeyHasher.HasKeyShape(token);
}
