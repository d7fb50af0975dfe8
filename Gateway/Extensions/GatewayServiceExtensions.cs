using Gateway.Apis;
using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.Governance;
using Gateway.Telemetry;
using Gateway.Inbound;
using Gateway.Providers;
using Gateway.Providers.Anthropic;
using Gateway.Providers.Bedrock;
using Gateway.Providers.Mock;
using Gateway.Providers.OpenAi;
using Gateway.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Storage.Counters;
using Storage.Relational;

namespace Gateway.Extensions;

public static class GatewayServiceExtensions
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Registers everything the gateway needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        builder.AddSharedCounters();

        var services = builder.Services;
        services.AddOptions<MasterKeyOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MasterKeyOptions>, MasterKeyOptionsValidator>());
        services.AddOptions<GatewayLimits>().BindConfiguration(GatewayLimits.SectionName);
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpForwarder();
        services.AddSingleton<UpstreamHttp>();
        services.AddSingleton<OpenAiCompatibleProvider>();
        services.AddSingleton<AzureOpenAiCredentials>();
        services.AddSingleton<MockProvider>();
        services.AddSingleton<BedrockProvider>();
        services.AddSingleton<AnthropicProvider>();
        services.AddSingleton<ProviderCatalog>();
        services.AddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            return new ModelCatalog(
                GatewayConfigFile.Load(configuration),
                provider.GetRequiredService<ProviderCatalog>(),
                provider.GetRequiredService<IOptions<MasterKeyOptions>>().Value.MasterKey,
                name => configuration[name],
                provider.GetRequiredService<TimeProvider>().GetUtcNow());
        });
        services.AddOptions<ConfigReloadOptions>().BindConfiguration(ConfigReloadOptions.SectionName)
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.SettleTime >= TimeSpan.Zero, "Gateway:ConfigReload:PollInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<DeploymentCooldown>();
        services.AddSingleton<DeploymentUsage>();
        services.AddSingleton<DeploymentSelector>();
        services.AddSingleton<DeploymentFailures>();
        services.AddSingleton<ModelRouter>();
        services.AddSingleton<Storage.Governance.IGatewayStatus, GatewayStatusReader>();
        services.AddOptions<LangfuseExportOptions>().Bind(builder.Configuration)
            .Validate(o => o.QueueCapacity > 0 && o.MaxBatchEvents > 1 && o.MaxSpooledBatches >= 0, "Gateway:Traces settings must be positive.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Host) || Uri.TryCreate(o.Host, UriKind.Absolute, out _), "LANGFUSE_HOST must be an absolute URL.")
            .Validate(o => o.EnvironmentIsValid,
                "LANGFUSE_TRACING_ENVIRONMENT must be lower case letters, digits, '-' or '_' (at most 40) and must not start with 'langfuse'.")
            .ValidateOnStart();
        // The exporter has its own answer to failure (spool, then send later): the standard retries would only
        // hold a batch back for half a minute.
#pragma warning disable EXTEXP0001 // the supported way to opt one client out of ConfigureHttpClientDefaults' handler
        services.AddHttpClient(GatewayTraceExporter.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<GatewayTraceExporter>();
        services.AddOptions<CallLogOptions>().BindConfiguration(CallLogOptions.SectionName)
            .Validate(o => o.PreviewCharacters > 0, "Gateway:CallLog:PreviewCharacters must be positive.")
            .ValidateOnStart();
        services.AddSingleton<CallTelemetry>();
        services.AddHostedService(provider => provider.GetRequiredService<GatewayTraceExporter>());
        services.AddHostedService<GatewayConfigStartup>();
        services.AddHostedService<GatewayConfigWatcher>();
        services.AddGovernance(builder.Configuration);
        services.AddGatewayAuthentication(builder.Configuration);
        services.AddGatewayCors();

        // The forwarder logs each request and upstream URL at Information; the gateway logs one line per call itself.
        // Identity logging costs as much as validating a token and logs every rejected token as an error; the gateway
        // logs each rejection itself, with its reason.
        foreach (var (category, level) in (ReadOnlySpan<(string, LogLevel)>)[("Yarp", LogLevel.Warning), ("Microsoft.Identity", LogLevel.Warning), ("Microsoft.IdentityModel", LogLevel.Critical)])
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, level);
            }
        }

        // ASP.NET Core starts an Activity and a logging scope for every request as soon as its hosting category logs
        // at any level, spans exported or not. The gateway logs each call itself, so that category is off unless
        // configuration names it (or Microsoft.AspNetCore): a request then costs neither unless spans are collected.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnostics}"] is null && builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            // CORS must answer preflights (which carry no credentials) before authorization refuses them. Adding it
            // means naming the whole order: WebApplication would otherwise put authentication and authorization first.
            pipeline.UseRouting();
            pipeline.UseCors();
            pipeline.UseAuthentication();
            pipeline.UseAuthorization();
        }

        app.MapLiteLlmHealthApi();
        app.MapOpenAiApi();
        app.MapAnthropicApi();
        app.MapKeyManagementApi();
        app.MapTeamManagementApi();
        app.MapUserManagementApi();
        app.MapCustomerManagementApi();
        app.MapSpendApi();
        app.MapModelInfoApi();
        app.MapGatewayStatusApi();
        return app;
    }
}
