using Microsoft.AspNetCore.Authentication;
using Storage.Blobs;
using Storage.Queue;
using Storage.Relational;
using TraceIngest.Authentication;
using TraceIngest.Ingestion;

namespace TraceIngest.Extensions;

public static class TraceIngestServiceExtensions
{
    /// <summary>Registers everything TraceIngest needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceIngest(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddBlobStore();
        builder.AddMessageQueue();

        builder.Services.AddOptions<IngestionOptions>()
            .Bind(builder.Configuration.GetSection(IngestionOptions.SectionName))
            .Validate(o => o.MaxRequestBytes > 0, "Ingestion:MaxRequestBytes must be positive.")
            .Validate(o => o.MaxJsonDepth is > 0 and <= 1000, "Ingestion:MaxJsonDepth must be between 1 and 1000.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IngestionBatchStore>();
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
        app.MapIngestionApi();
        app.MapScoresApi();
        app.MapOtlpApi();
        return app;
    }
}
