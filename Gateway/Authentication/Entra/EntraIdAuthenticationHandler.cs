using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Authentication.Entra;

/// <summary>
/// Entra ID bearer tokens in front of Microsoft.Identity.Web's JWT bearer scheme (<see cref="JwtSchemeName"/>): a
/// token seen before and not yet expired is answered from <see cref="EntraTokenCache"/>; a new one is validated by
/// that scheme, mapped to the gateway's claims by <see cref="EntraCallerClaims"/> and cached. Failures answer in
/// OpenAI's error shape with the reason, never the token.
/// </summary>
internal sealed partial class EntraIdAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    EntraTokenCache cache,
    EntraCallerClaims callerClaims,
    IOptions<EntraIdOptions> entraId)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "EntraId";
    public const string JwtSchemeName = "EntraIdJwt";
    private const string FailureItemKey = "gateway-entra-failure";
    private const string CannotReachEntraId = "the gateway could not reach Entra ID to check it";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (CallerCredential.BearerToken(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = TokenHash.Of(token);
        if (cache.TryGet(hash, out var cached))
        {
            return AuthenticateResult.Success(cached);
        }

        var validated = await Context.AuthenticateAsync(JwtSchemeName);
        if (!validated.Succeeded)
        {
            var reason = Reason(validated.Failure);
            Context.Items[FailureItemKey] = reason;
            LogRejected(Logger, reason == CannotReachEntraId ? LogLevel.Warning : LogLevel.Information, reason, validated.Failure?.GetType().Name ?? "none");
            return AuthenticateResult.Fail(validated.Failure ?? new SecurityTokenValidationException(reason));
        }

        var ticket = new AuthenticationTicket(callerClaims.Map(validated.Principal), SchemeName);
        if (ExpiresAt(validated) is { } expiresAt)
        {
            cache.Add(hash, ticket, expiresAt);
        }

        return AuthenticateResult.Success(ticket);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[FailureItemKey] as string;
        Response.Headers.WWWAuthenticate = reason is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        return (reason is null ? OpenAiErrors.MissingKey() : OpenAiErrors.InvalidAccessToken(reason)).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        var settings = entraId.Value;
        return OpenAiErrors.AccessTokenLacksPermission(settings.EffectiveRequiredRoles, settings.EffectiveRequiredScopes).ExecuteAsync(Context);
    }

    private static DateTimeOffset? ExpiresAt(AuthenticateResult validated) =>
        validated.Properties?.ExpiresUtc
        ?? (validated.Principal?.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null);

    /// <summary>Why a token was refused, in words a caller can act on; never the token or its claims.</summary>
    private static string Reason(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenInvalidAudienceException => "it was issued for another audience",
        SecurityTokenInvalidIssuerException => "it was issued by another issuer or tenant",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidSigningKeyException
            => "its signature does not verify",
        SecurityTokenMalformedException => "it is not a well-formed JWT",
        // Microsoft.Identity.Web's IDW10201: a token of this audience, but with neither roles nor scopes.
        not null when failure.Message.Contains("IDW10201", StringComparison.Ordinal) => "it carries neither an app role nor a scope",
        SecurityTokenException => "it is not valid",
        // IDX20803: the issuer's metadata or signing keys could not be fetched.
        not null when failure.Message.Contains("IDX20803", StringComparison.Ordinal) => CannotReachEntraId,
        _ => "it could not be validated",
    };

    [LoggerMessage(Message = "Entra ID token rejected: {Reason} ({Failure})")]
    private static partial void LogRejected(ILogger logger, LogLevel level, string reason, string failure);
}
