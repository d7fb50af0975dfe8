using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TraceUi.Authentication;

namespace TraceUi.Apis;

/// <summary>Form posts of the sign-in page and the sign-out button; both validate the antiforgery token.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/sign-in", SignInAsync).AllowAnonymous();
        account.MapGet("/entra", EntraChallenge).AllowAnonymous();
        account.MapPost("/sign-out", SignOutAsync).RequireAuthorization(UiAuthentication.ViewerPolicy);
        return app;
    }

    private static async Task<RedirectHttpResult> SignInAsync(
        [FromForm] SignInForm form, HttpContext context, CancellationToken cancellationToken)
    {
        var returnUrl = IsLocal(form.ReturnUrl) ? form.ReturnUrl! : "/";
        if (EntraSignIn.IsConfigured(context.RequestServices.GetRequiredService<IConfiguration>()))
        {
            // One source of identities: with Entra ID configured, local accounts do not sign in.
            return TypedResults.LocalRedirect($"{UiAuthentication.SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var signIn = context.RequestServices.GetRequiredService<LocalSignIn>();
        var principal = string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password)
            ? null
            : await signIn.VerifyAsync(form.Email, form.Password, cancellationToken);

        if (principal is null)
        {
            return TypedResults.LocalRedirect($"{UiAuthentication.SignInPath}?failed=true&returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        await context.SignInAsync(UiAuthentication.Scheme, principal);
        return TypedResults.LocalRedirect(returnUrl);
    }

    /// <summary>Starts the Entra ID sign-in; back at <paramref name="returnUrl"/> (same-site only) once it succeeds.</summary>
    private static IResult EntraChallenge(HttpContext context, string? returnUrl)
    {
        if (!EntraSignIn.IsConfigured(context.RequestServices.GetRequiredService<IConfiguration>()))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" }, [EntraSignIn.Scheme]);
    }

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext context, ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated == true)
        {
            await context.SignOutAsync(UiAuthentication.Scheme);
        }

        return TypedResults.LocalRedirect(UiAuthentication.SignInPath);
    }

    /// <summary>Only same-site paths: an open redirect after sign-in would hand the session to a phishing page.</summary>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    public sealed class SignInForm
    {
        public string? Email { get; set; }
        public string? Password { get; set; }
        public string? ReturnUrl { get; set; }
    }
}
