using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Telemetry, health, resilience and service discovery shared by every service, with the semantics of
/// Aspire's ServiceDefaults template, except that the health endpoints are mapped in every environment:
/// Kubernetes probes call them in production.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Readiness: every registered check, including each backend the service uses.</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness: only the checks tagged <see cref="LiveTag"/>.</summary>
    public const string AlivePath = "/alive";

    public const string LiveTag = "live";

    /// <summary>
    /// The ActivitySource and Meter of the OpenTelemetry GenAI semantic conventions (<c>gen_ai.*</c> spans and metrics)
    /// that services emit for model calls; registered here so every service exports them.
    /// </summary>
    public const string GenAiTelemetryName = "LlmPlatform.GenAi";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Endpoints name the authentication schemes they accept. Without this switch a host with a single
        // scheme would run it on every request, health probes included.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);

        builder.AddDefaultLogLevels();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        // What is traced and measured is registered always; the providers that listen are created only when there is
        // somewhere to send their data, so with no exporter a request creates no spans and records no measurements.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(GenAiTelemetryName));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(builder.Environment.ApplicationName)
            .AddSource(GenAiTelemetryName)
            .AddAspNetCoreInstrumentation(aspNetCore =>
                aspNetCore.Filter = context => !IsHealthRequest(context.Request.Path))
            .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().WithMetrics().WithTracing().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Framework chatter (a line per request, per SQL command) at Warning, unless configuration sets a level for
    /// that category. Applied in code rather than as a configuration source, because inserting a source
    /// would discard settings made directly on the builder, such as <c>UseUrls</c>.
    /// </summary>
    public static TBuilder AddDefaultLogLevels<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        string[] quietCategories = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http.HttpClient"];
        foreach (var category in quietCategories)
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, LogLevel.Warning);
            }
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath, new HealthCheckOptions
        {
            ResponseWriter = HealthReportJsonWriter.WriteAsync,
        });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportJsonWriter.WriteAsync,
        });
        return app;
    }

    private static bool IsHealthRequest(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);
}
