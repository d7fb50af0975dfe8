namespace Gateway.Authentication;

/// <summary>The key a caller presents, where OpenAI and Azure SDKs put it: <c>Authorization: Bearer</c>, <c>api-key</c> or <c>x-api-key</c>.</summary>
internal static class CallerCredential
{
    public static string? Read(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 7 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        return request.Headers["api-key"] is { Count: > 0 } apiKey ? apiKey.ToString()
            : request.Headers["x-api-key"] is { Count: > 0 } xApiKey ? xApiKey.ToString()
            : null;
    }
}
