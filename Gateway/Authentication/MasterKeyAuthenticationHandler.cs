using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Apis;
using Gateway.Authentication.Entra;
using Gateway.Routing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Storage.Governance;

namespace Gateway.Authentication;

/// <summary>
/// LiteLLM's master key: with one configured, callers must present it; without one (and without Entra ID), the
/// model API is open, as with a LiteLLM proxy started without a master key. Failures answer in OpenAI's error shape.
/// </summary>
internal sealed class MasterKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ModelCatalog catalog,
    IOptions<EntraIdOptions> entraId)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "MasterKey";
    private const string FailureItemKey = "gateway-auth-failure";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var masterKey = catalog.MasterKey;
        if (masterKey is null && !entraId.Value.Enabled)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(GatewayClaims.Kinds.Open), SchemeName)));
        }

        var presented = CallerCredential.Read(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (masterKey is null || !Matches(presented, masterKey.Reveal()))
        {
            Context.Items[FailureItemKey] = OpenAiErrors.InvalidKey();
            return Task.FromResult(AuthenticateResult.Fail("Incorrect API key."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(GatewayClaims.Kinds.MasterKey), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        (Context.Items[FailureItemKey] as OpenAiErrorResult ?? OpenAiErrors.MissingKey()).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => OpenAiErrors.Forbidden().ExecuteAsync(Context);

    /// <summary>Compares hashes in constant time, so neither the content nor the length of the key leaks through timing.</summary>
    internal static bool Matches(string presented, string expected) => MasterKeySecret.Matches(presented, expected);

    // Built once: nothing in the pipeline changes a principal an authentication handler returns.
    private static readonly ClaimsPrincipal MasterKeyCaller = Build(GatewayClaims.Kinds.MasterKey);
    private static readonly ClaimsPrincipal OpenCaller = Build(GatewayClaims.Kinds.Open);

    internal static ClaimsPrincipal Principal(string kind) => kind switch
    {
        GatewayClaims.Kinds.MasterKey => MasterKeyCaller,
        GatewayClaims.Kinds.Open => OpenCaller,
        _ => Build(kind),
    };

    // Without a master key LiteLLM is open to everyone, management API included; the gateway matches that.
    private static ClaimsPrincipal Build(string kind) => new(new ClaimsIdentity(
        [new Claim(GatewayClaims.Role, GatewayClaims.Roles.Admin), new Claim(GatewayClaims.CallerKind, kind)], SchemeName));
}
