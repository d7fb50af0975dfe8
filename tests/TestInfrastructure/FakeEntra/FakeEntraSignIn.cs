using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TestInfrastructure.FakeEntra;

/// <summary>A person of the tenant who signs in to a web app; <see cref="Roles"/> are the app roles assigned to them.</summary>
public sealed record FakeEntraUser(string Name, string Email, IReadOnlyList<string> Roles)
{
    public string ObjectId { get; init; } = Guid.NewGuid().ToString();
}

/// <summary>
/// The authorization-code flow of a web app, as Entra ID runs it: <c>/authorize</c> signs in the person set with
/// <see cref="SignInAs"/> (no login page: the test decides who is at the keyboard) and answers the app's
/// <c>redirect_uri</c> with a one-time code (form post or query, as asked); the token endpoint redeems the code for
/// the registered client with its secret, checks the redirect URI and the PKCE verifier, and issues an RS256
/// <c>id_token</c> shaped like Entra's v2.0 ones (<c>ver</c>, <c>tid</c>, <c>oid</c>, <c>roles</c>, the nonce).
/// </summary>
public sealed partial class FakeEntraTenant
{
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _authorizeRequests = new();
    private FakeEntraUser? _signedIn;

    /// <summary>The query (or form) of each authorize request, as received.</summary>
    public IReadOnlyList<string> AuthorizeRequests => _authorizeRequests.ToArray();

    /// <summary>Who the authorize endpoint signs in from now on.</summary>
    public void SignInAs(FakeEntraUser user) => _signedIn = user;

    private async Task<IResult> AuthorizeAsync(string tenantId, HttpContext context)
    {
        var fields = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
            : context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        _authorizeRequests.Enqueue(context.Request.QueryString.Value ?? string.Empty);
        if (tenantId != TenantId)
        {
            return UnknownTenant(tenantId);
        }

        var clientId = fields.GetValueOrDefault("client_id") ?? string.Empty;
        if (!_clients.ContainsKey(clientId))
        {
            return Page($"AADSTS700016: Application with identifier '{clientId}' was not found in the directory.");
        }

        if (!Uri.TryCreate(fields.GetValueOrDefault("redirect_uri"), UriKind.Absolute, out var redirect))
        {
            return Page("AADSTS90102: 'redirect_uri' value must be a valid absolute URI.");
        }

        if (fields.GetValueOrDefault("response_type") != "code")
        {
            return Page($"AADSTS700054: response_type '{fields.GetValueOrDefault("response_type")}' is not enabled for the application.");
        }

        if (_signedIn is not { } user)
        {
            return Page("No one is signed in to the fake tenant: call SignInAs first.");
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new PendingCode(
            clientId,
            redirect.ToString(),
            fields.GetValueOrDefault("nonce"),
            fields.GetValueOrDefault("code_challenge"),
            fields.GetValueOrDefault("code_challenge_method"),
            user,
            DateTimeOffset.UtcNow + CodeLifetime);
        var state = fields.GetValueOrDefault("state");
        if (fields.GetValueOrDefault("response_mode") == "form_post")
        {
            var inputs = new StringBuilder().Append(Hidden("code", code));
            if (state is not null)
            {
                inputs.Append(Hidden("state", state));
            }

            return Results.Content(
                $"<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{WebUtility.HtmlEncode(redirect.ToString())}\">{inputs}<noscript><button>Continue</button></noscript></form></body></html>",
                "text/html");
        }

        var query = $"code={Uri.EscapeDataString(code)}" + (state is null ? "" : $"&state={Uri.EscapeDataString(state)}");
        return Results.Redirect($"{redirect}{(redirect.Query.Length > 0 ? "&" : "?")}{query}");
    }

    private IResult RedeemCode(Dictionary<string, string> fields, HttpContext context)
    {
        var (clientId, secret) = ClientCredentials(fields, context);
        if (clientId is null || !_clients.TryGetValue(clientId, out var registered) || secret != registered)
        {
            return TokenError("invalid_client", "AADSTS7000215: Invalid client secret provided.", StatusCodes.Status401Unauthorized);
        }

        if (!_codes.TryRemove(fields.GetValueOrDefault("code") ?? string.Empty, out var pending) || pending.ExpiresAt < DateTimeOffset.UtcNow || pending.ClientId != clientId)
        {
            return TokenError("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired or was already used.");
        }

        if (fields.GetValueOrDefault("redirect_uri") != pending.RedirectUri)
        {
            return TokenError("invalid_grant", "AADSTS50148: The redirect_uri does not match the one of the authorization request.");
        }

        if (pending.CodeChallenge is not null && !VerifierMatches(fields.GetValueOrDefault("code_verifier"), pending.CodeChallenge, pending.CodeChallengeMethod))
        {
            return TokenError("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }

        return Results.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = "openid profile email",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["id_token"] = CreateIdToken(pending.User, clientId, pending.Nonce),
            ["access_token"] = CreateToken(new FakeEntraToken { Audience = "00000003-0000-0000-c000-000000000000", ClientAppId = clientId, ObjectId = pending.User.ObjectId }),
        });
    }

    private string CreateIdToken(FakeEntraUser user, string clientId, string? nonce)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["ver"] = "2.0",
            ["tid"] = TenantId,
            ["oid"] = user.ObjectId,
            ["sub"] = user.ObjectId,
            ["name"] = user.Name,
            ["preferred_username"] = user.Email,
            ["email"] = user.Email,
            ["uti"] = Guid.NewGuid().ToString("N"),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        if (user.Roles.Count > 0)
        {
            claims["roles"] = user.Roles.ToArray();
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = clientId,
            IssuedAt = now.AddMinutes(-1).UtcDateTime,
            NotBefore = now.AddMinutes(-1).UtcDateTime,
            Expires = now.AddHours(1).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.RsaSha256),
        });
    }

    private static (string? ClientId, string? Secret) ClientCredentials(Dictionary<string, string> fields, HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim())).Split(':', 2);
            return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : (null, null);
        }

        return (fields.GetValueOrDefault("client_id"), fields.GetValueOrDefault("client_secret"));
    }

    private static bool VerifierMatches(string? verifier, string challenge, string? method) =>
        verifier is not null && (method == "S256"
            ? Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) == challenge
            : verifier == challenge);

    private static string Hidden(string name, string value) =>
        $"<input type=\"hidden\" name=\"{name}\" value=\"{WebUtility.HtmlEncode(value)}\" />";

    private static IResult Page(string message) =>
        Results.Content($"<!DOCTYPE html><html><body><h1>Sign in failed</h1><p>{WebUtility.HtmlEncode(message)}</p></body></html>", "text/html", statusCode: StatusCodes.Status400BadRequest);

    private static IResult TokenError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: status);

    private sealed record PendingCode(
        string ClientId, string RedirectUri, string? Nonce, string? CodeChallenge, string? CodeChallengeMethod, FakeEntraUser User, DateTimeOffset ExpiresAt);
}
