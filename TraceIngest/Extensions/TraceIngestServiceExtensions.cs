using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Storage.Blobs;
using Storage.Pricing;
using Storage.Queue;
using Storage.Relational;
using Storage.TraceStore;
using TraceIngest.Authentication;
using TraceIngest.Ingestion;
using TraceIngest.Queries;
using TraceIngest.Worker;

namespace TraceIngest.Extensions;

public static class TraceIngestServiceExtensions
{
    /// <summary>Registers everything TraceIngest needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceIngest(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddBlobStore();
        builder.AddMessageQueue();
        builder.AddTraceStore();

        var roles = builder.Configuration.GetSection(TraceIngestOptions.SectionName).Get<TraceIngestOptions>() ?? new TraceIngestOptions();
        if (!roles.RunsApi && !roles.RunsWorker)
        {
            throw new OptionsValidationException(TraceIngestOptions.SectionName, typeof(TraceIngestOptions),
                [$"TraceIngest:Roles '{roles.Roles}' names neither 'api' nor 'worker'."]);
        }

        builder.Services.Configure<TraceIngestOptions>(builder.Configuration.GetSection(TraceIngestOptions.SectionName));
        if (roles.RunsWorker)
        {
            builder.Services.AddOptions<IngestionWorkerOptions>()
                .Bind(builder.Configuration.GetSection(IngestionWorkerOptions.SectionName))
                .Validate(o => o.MaxBatchesPerRound is > 0 and <= 1000, "Ingestion:Worker:MaxBatchesPerRound must be between 1 and 1000.")
                .Validate(o => o.MaxEventsPerRound is > 0 and <= 1_000_000, "Ingestion:Worker:MaxEventsPerRound must be between 1 and 1000000.")
                .Validate(o => o.MaxBytesPerRound > 0, "Ingestion:Worker:MaxBytesPerRound must be positive.")
                .Validate(o => o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay, "Ingestion:Worker:RetryDelay must be positive and MaxRetryDelay at least as long.")
                .Validate(o => o.StallAfter > TimeSpan.Zero, "Ingestion:Worker:StallAfter must be positive.")
                .ValidateOnStart();
            builder.Services.TryAddSingleton(_ => ModelPriceTable.LoadDefaults());
            builder.Services.AddSingleton<IngestionEventMerger>();
            builder.Services.TryAddSingleton<ProjectModelPrices>();
            builder.Services.AddSingleton<IngestionBatchProcessor>();
            builder.Services.AddSingleton<WorkerTraceSummaries>();
            builder.Services.AddSingleton<IngestionWorkerProgress>();
            builder.Services.AddHostedService<IngestionWorker>();
            builder.Services.AddHealthChecks().AddCheck<IngestionWorkerHealthCheck>(IngestionWorkerHealthCheck.Name, tags: ["ready"]);
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(IngestionWorkerMetrics.MeterName));
        }

        builder.Services.AddOptions<IngestionOptions>()
            .Bind(builder.Configuration.GetSection(IngestionOptions.SectionName))
            .Validate(o => o.MaxRequestBytes > 0, "Ingestion:MaxRequestBytes must be positive.")
            .Validate(o => o.MaxJsonDepth is > 0 and <= 1000, "Ingestion:MaxJsonDepth must be between 1 and 1000.")
            .ValidateOnStart();
        builder.Services.AddOptions<MaskingOptions>()
            .Bind(builder.Configuration.GetSection(MaskingOptions.SectionName))
            .Validate(o => o.Rules.All(r => IsValidPattern(r.Pattern)), "Ingestion:Masking:Rules: every Pattern must be a valid, non-empty regular expression.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IngestionMasking>();
        builder.Services.AddSingleton<IngestionBatchStore>();
        builder.Services.AddSingleton<TraceQueries>();
        builder.Services.TryAddSingleton<TraceRowStore>();
        builder.Services.TryAddSingleton<StoredEntityIds>();
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

    private static bool IsValidPattern(string pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return false;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static IEndpointRouteBuilder MapTraceIngestApi(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<TraceIngestOptions>>().Value.RunsApi)
        {
            return app;
        }

        app.MapPublicHealthApi();
        app.MapPublicProjectsApi();
        app.MapIngestionApi();
        app.MapScoresApi();
        app.MapOtlpApi();
        app.MapPublicTracesApi();
        app.MapPublicObservationsApi();
        app.MapPublicSessionsApi();
        app.MapPublicScoresReadApi();
        app.MapPublicMetricsApi();
        return app;
    }
}
