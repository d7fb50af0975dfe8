using Microsoft.AspNetCore.Authentication;
using Storage.Blobs;
using Storage.Queue;
using Storage.Relational;
using TraceIngest.Authentication;

namespace TraceIngest.Extensions;

public static class TraceIngestServiceExtensions
{
    /// <summary>Registers everything TraceIngest needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceIngest(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddBlobStore();
        builder.AddMessageQueue();

        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ProjectApiKeyVerifier>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ProjectApiKeyAuthenticationHandler>(ProjectApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ProjectApiKeyAuthenticationHandler.PolicyName, policy => policy
                .AddAuthenticationSchemes(ProjectApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(ProjectApiKeyAuthenticationHandler.ProjectIdClaim));
        return builder;
    }

    public static IEndpointRouteBuilder MapTraceIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapPublicHealthApi();
        app.MapPublicProjectsApi();
        return app;
    }
}
