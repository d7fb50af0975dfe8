using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Storage.Redis;
using Storage.Relational;
using TraceUi.Apis;
using TraceUi.Authentication;
using TraceUi.Components;

namespace TraceUi.Extensions;

public static class TraceUiServiceExtensions
{
    /// <summary>Registers everything TraceUi needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceUi(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddSharedDataProtection();

        if (builder.Environment is IWebHostEnvironment web)
        {
            // Serves the UI's assets from a build output too (not only from a publish), in every environment;
            // a no-op when the app runs from published output.
            StaticWebAssetsLoader.UseStaticWebAssets(web, builder.Configuration);
        }

        builder.Services.AddRazorComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<LocalSignIn>();
        builder.Services.AddAuthentication()
            .AddCookie(UiAuthentication.Scheme, options =>
            {
                options.LoginPath = UiAuthentication.SignInPath;
                options.AccessDeniedPath = UiAuthentication.SignInPath;
                options.Cookie.Name = "platform.ui";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(UiAuthentication.ViewerPolicy, policy => policy
                .AddAuthenticationSchemes(UiAuthentication.Scheme)
                .RequireAuthenticatedUser())
            .AddPolicy(UiAuthentication.AdminPolicy, policy => policy
                .AddAuthenticationSchemes(UiAuthentication.Scheme)
                .RequireRole(UiAuthentication.AdminRole));
        return builder;
    }

    public static WebApplication MapTraceUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapAccountApi();
        app.MapGet("/", () => TypedResults.LocalRedirect(Components.Settings.Projects.Route))
            .RequireAuthorization(UiAuthentication.ViewerPolicy)
            .ExcludeFromDescription();
        app.MapRazorComponents<App>()
            .RequireAuthorization(UiAuthentication.ViewerPolicy);
        return app;
    }
}
