using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TraceIngest.Authentication;

/// <summary>
/// Langfuse's public API authentication: <c>Authorization: Basic base64(publicKey:secretKey)</c> of one project.
/// Failures answer 401 with Langfuse's JSON error shape.
/// </summary>
internal sealed class ProjectApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ProjectApiKeyVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LangfuseProjectKey";
    public const string PolicyName = "LangfuseProject";
    public const string ProjectIdClaim = "project_id";

    private const string FailureItemKey = "langfuse-auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header))
        {
            return Fail("No authorization header provided. Use Basic auth with your project's public key as user name and secret key as password.");
        }

        if (!"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(header.Parameter))
        {
            return Fail("Unsupported authorization scheme. Use Basic auth with your project's public and secret key.");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return Fail("Malformed Basic authorization header.");
        }

        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0 || separator == decoded.Length - 1)
        {
            return Fail("Malformed Basic authorization header: expected publicKey:secretKey.");
        }

        var projectId = await verifier.FindProjectAsync(decoded[..separator], decoded[(separator + 1)..], Context.RequestAborted);
        if (projectId is null)
        {
            return Fail("Invalid credentials. Confirm that you've configured the correct host and keys.");
        }

        var identity = new ClaimsIdentity([new Claim(ProjectIdClaim, projectId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureItemKey] as string ?? "Authentication required.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"langfuse\"";
        await Response.WriteAsJsonAsync(new PublicApiError(message, "UnauthorizedError"), Context.RequestAborted);
    }

    private AuthenticateResult Fail(string message)
    {
        Context.Items[FailureItemKey] = message;
        return AuthenticateResult.Fail(message);
    }
}
