using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Gateway.Apis;
using Gateway.Authentication.Entra;
using Gateway.Configuration;
using Gateway.Governance;
using Gateway.Governance.Caching;
using Gateway.Routing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Storage;

namespace Gateway.Authentication;

/// <summary>
/// LiteLLM virtual keys (<c>sk-…</c> as <c>Authorization: Bearer</c>, <c>api-key</c> or <c>x-api-key</c>): the key's
/// SHA-256 is looked up in the governance cache, so a known key costs no database round trip. The master key, which
/// has the same shape, is recognised here too. Unknown, blocked and expired keys get 401 in OpenAI's error shape; a
/// key that cannot be checked because the store is down and it was never cached gets 503, never 401.
/// </summary>
internal sealed class VirtualKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ModelCatalog catalog,
    GovernanceLookup lookup,
    TimeProvider clock,
    IOptions<EntraIdOptions> entraId)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "VirtualKey";

    /// <summary>Where the authenticated key's snapshot waits for the governance checks of the same request.</summary>
    public static readonly object SnapshotItem = new();

    private const string FailureItemKey = "gateway-virtual-key-failure";

    // A key's claims do not change while its snapshot is cached: built once per snapshot, not once per call. Nothing
    // in the pipeline changes a principal an authentication handler returns (authorization merges it into a new one).
    private static readonly ConditionalWeakTable<KeySnapshot, ClaimsPrincipal> Principals = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (CallerCredential.Read(Request) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        // One hash of the presented key serves both checks: the master key's and the virtual key's token.
        var token = TokenOrMasterKey(presented, catalog.MasterKey);
        if (token is null)
        {
            return Success(MasterKeyAuthenticationHandler.Principal(GatewayClaims.Kinds.MasterKey));
        }

        KeySnapshot? key;
        try
        {
            key = await lookup.KeyAsync(token, Context.RequestAborted);
        }
        catch (StorageUnavailableException)
        {
            return Fail(GovernanceErrors.StoreUnavailable());
        }

        var now = clock.GetUtcNow();
        var refusal = key switch
        {
            null => OpenAiErrors.InvalidKey(),
            { Blocked: true } => KeyError("Authentication Error, this key is blocked. An admin can unblock it through /key/unblock.", "auth_error"),
            { Expires: { } expires } when expires <= now => KeyError(
                string.Create(CultureInfo.InvariantCulture, $"Authentication Error - Expired Key. Key Expiry time {expires.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} and current time {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"),
                "expired_key"),
            { RevokeAt: { } revokeAt } when revokeAt <= now => OpenAiErrors.InvalidKey(),
            _ => null,
        };

        // Without a master key (and without Entra ID) the API is open, as a LiteLLM proxy is: a key that is not valid
        // does not lock anyone out.
        if (refusal is not null)
        {
            return catalog.MasterKey is null && !entraId.Value.Enabled ? Success(MasterKeyAuthenticationHandler.Principal(GatewayClaims.Kinds.Open)) : Fail(refusal);
        }

        Context.Items[SnapshotItem] = key;
        return Success(Principals.GetValue(key!, Principal));
    }

    /// <summary>The presented key's token, or null when it is the master key.</summary>
    private static string? TokenOrMasterKey(string presented, SecretValue? masterKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        VirtualKeyHasher.Hash(presented, hash);
        return masterKey is not null && MasterKeySecret.Matches(hash, masterKey.Reveal()) ? null : VirtualKeyHasher.Token(hash);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        (Context.Items[FailureItemKey] as OpenAiErrorResult ?? OpenAiErrors.MissingKey()).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => OpenAiErrors.Forbidden().ExecuteAsync(Context);

    private AuthenticateResult Fail(OpenAiErrorResult error)
    {
        Context.Items[FailureItemKey] = error;
        return AuthenticateResult.Fail(error.Value.Error.Message);
    }

    private static AuthenticateResult Success(ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    private static OpenAiErrorResult KeyError(string message, string type) =>
        new(StatusCodes.Status401Unauthorized, new OpenAiError(message, type, null, "invalid_api_key"));

    private static ClaimsPrincipal Principal(KeySnapshot key)
    {
        var claims = new List<Claim>(6)
        {
            new(GatewayClaims.Role, GatewayClaims.Roles.Caller),
            new(GatewayClaims.CallerKind, GatewayClaims.Kinds.VirtualKey),
            new(GatewayClaims.KeyId, key.Token),
        };
        if (key.Alias is not null)
        {
            claims.Add(new Claim(GatewayClaims.KeyAlias, key.Alias));
        }

        if (key.TeamId is not null)
        {
            claims.Add(new Claim(GatewayClaims.TeamId, key.TeamId));
        }

        if (key.UserId is not null)
        {
            claims.Add(new Claim(GatewayClaims.UserId, key.UserId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}
