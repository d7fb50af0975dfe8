using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Storage.Counters;
using Storage.Governance;
using Storage.Redis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Storage.Pricing;
using Storage.Relational;
using Storage.TraceStore;
using TraceUi.Analytics;
using TraceUi.Apis;
using TraceUi.Authentication;
using TraceUi.Components;
using TraceUi.Projects;
using TraceUi.RemoteGateway;
using TraceUi.Traces;

namespace TraceUi.Extensions;

public static class TraceUiServiceExtensions
{
    /// <summary>Registers everything TraceUi needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceUi(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddSharedDataProtection();
        builder.AddTraceStore();
        // Gateway administration: the gateway's own operations, announcing changes on the invalidation channel.
        builder.AddSharedCounters();
        builder.Services.AddGatewayAdministration();
        builder.AddRemoteGateway();

        if (builder.Environment is IWebHostEnvironment web)
        {
            // Serves the UI's assets from a build output too (not only from a publish), in every environment;
            // a no-op when the app runs from published output.
            StaticWebAssetsLoader.UseStaticWebAssets(web, builder.Configuration);
        }

        builder.Services.AddRazorComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<LocalSignIn>();
        builder.Services.AddScoped<ProjectAccess>();
        builder.Services.TryAddSingleton(_ => ModelPriceTable.LoadDefaults());
        builder.Services.AddSingleton<TraceListQuery>();
        builder.Services.AddSingleton<TraceDetailQuery>();
        builder.Services.AddSingleton<GroupTotalsQuery>();
        builder.Services.AddSingleton<DashboardQuery>();
        var authentication = builder.Services.AddAuthentication();
        if (EntraSignIn.IsConfigured(builder.Configuration))
        {
            authentication.AddEntraSignIn(builder.Configuration);
        }

        authentication
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
        app.MapTraceExportApi();
        app.MapGet("/", HomeAsync)
            .RequireAuthorization(UiAuthentication.ViewerPolicy)
            .ExcludeFromDescription();
        app.MapRazorComponents<App>()
            .RequireAuthorization(UiAuthentication.ViewerPolicy);
        return app;
    }

    /// <summary>Home is the trace list of the first project the person may read, or the projects page when there is none.</summary>
    private static async Task<RedirectHttpResult> HomeAsync(HttpContext context, ProjectAccess access)
    {
        var first = await access.HomeAsync(context.User, context.RequestAborted);
        return TypedResults.LocalRedirect(first is null ? Components.Settings.Projects.Route : $"/project/{Uri.EscapeDataString(first.Id)}/traces");
    }
}
