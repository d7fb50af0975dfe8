using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Storage.Relational;

namespace TraceUi.Authentication;

/// <summary>
/// Sign-in with Entra ID (OpenID Connect, authorization code with PKCE, through Microsoft.Identity.Web) when the
/// <c>AzureAd</c> section has a client id and a client secret; otherwise TraceUi keeps its local sign-in. The id token's app roles
/// decide the role: <see cref="EntraRoleOptions.AdminRole"/> makes an admin, <see cref="EntraRoleOptions.ViewerRole"/>
/// a viewer, and a person with neither is turned away. The session is TraceUi's own cookie, as with local sign-in.
/// </summary>
public static class EntraSignIn
{
    public const string SectionName = "AzureAd";
    public const string Scheme = "TraceUi.Entra";
    public const string ChallengePath = "/account/entra";

    /// <summary>
    /// A client id and a client secret: a web app's credentials. The gateway reads the same section for its API
    /// (client id only), so in the Standalone host Entra ID callers of the gateway leave the UI's local sign-in as is.
    /// </summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{SectionName}:ClientId"]) && !string.IsNullOrWhiteSpace(configuration[$"{SectionName}:ClientSecret"]);

    public static AuthenticationBuilder AddEntraSignIn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.Services.AddOptions<EntraRoleOptions>()
            .BindConfiguration(EntraRoleOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.AdminRole) && !string.IsNullOrWhiteSpace(o.ViewerRole), "TraceUi:Entra:AdminRole and ViewerRole must not be empty.")
            .ValidateOnStart();
        var section = configuration.GetSection(SectionName);
        authentication.AddMicrosoftIdentityWebApp(section, openIdConnectScheme: Scheme, cookieScheme: null);
        // Runs after Microsoft.Identity.Web has copied the AzureAd section into the options, and before the handler's
        // own checks (which would refuse an HTTP authority that the section explicitly allows but the copy drops).
        authentication.Services.Configure<OpenIdConnectOptions>(Scheme, options =>
        {
            options.RequireHttpsMetadata = section.GetValue(nameof(OpenIdConnectOptions.RequireHttpsMetadata), defaultValue: true);
            options.SignInScheme = UiAuthentication.Scheme;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;
            options.SaveTokens = false;
            var validated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                await MapToUiPrincipalAsync(context);
            };
            options.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect($"{UiAuthentication.SignInPath}?failed=entra");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return authentication;
    }

    /// <summary>Replaces the id token's principal with TraceUi's: user id, name, e-mail and one role.</summary>
    private static async Task MapToUiPrincipalAsync(TokenValidatedContext context)
    {
        var token = context.Principal!;
        var roles = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<EntraRoleOptions>>().Value;
        var granted = token.FindAll("roles").Concat(token.FindAll(ClaimTypes.Role)).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var role = granted.Contains(roles.AdminRole) ? UiAuthentication.AdminRole
            : granted.Contains(roles.ViewerRole) ? UiAuthentication.ViewerRole
            : null;
        if (role is null)
        {
            context.Fail($"The account has neither the {roles.AdminRole} nor the {roles.ViewerRole} app role of TraceUi.");
            return;
        }

        var email = (token.FindFirstValue("preferred_username") ?? token.FindFirstValue("email") ?? token.FindFirstValue(ClaimTypes.Email))?.Trim().ToLowerInvariant();
        var objectId = token.FindFirstValue("oid") ?? token.FindFirstValue(ClaimConstants.ObjectId) ?? token.FindFirstValue(ClaimTypes.NameIdentifier);
        // A person who also has a TraceUi account (same e-mail) keeps its organisation memberships.
        var db = context.HttpContext.RequestServices.GetRequiredService<PlatformDbContext>();
        var known = email is null ? null : await db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => u.Id).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        List<Claim> claims =
        [
            new(UiAuthentication.UserIdClaim, known ?? $"entra:{objectId}"),
            new(ClaimTypes.Name, token.FindFirstValue("name") ?? email ?? objectId ?? "Entra ID user"),
            new(ClaimTypes.Role, role),
        ];
        if (email is not null)
        {
            claims.Add(new Claim(ClaimTypes.Email, email));
        }

        var identity = new ClaimsIdentity(claims, UiAuthentication.Scheme, ClaimTypes.Name, ClaimTypes.Role);
        context.Principal = new ClaimsPrincipal(identity);
    }
}

/// <summary>Which Entra ID app roles of TraceUi's app registration make an admin and a viewer.</summary>
public sealed class EntraRoleOptions
{
    public const string SectionName = "TraceUi:Entra";

    public string AdminRole { get; set; } = "Gateway.Admin";

    public string ViewerRole { get; set; } = "TraceUi.Viewer";
}
