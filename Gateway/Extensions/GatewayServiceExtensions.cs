using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Providers;
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
        services.AddSingleton<MockProvider>();
        services.AddSingleton<ProviderCatalog>();
        services.AddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            return ModelCatalog.Build(
                GatewayConfigFile.Load(configuration),
                provider.GetRequiredService<ProviderCatalog>(),
                provider.GetRequiredService<IOptions<MasterKeyOptions>>().Value.MasterKey,
                name => configuration[name],
                provider.GetRequiredService<TimeProvider>().GetUtcNow());
        });
        services.AddSingleton<DeploymentCooldown>();
        services.AddSingleton<DeploymentSelector>();
        services.AddSingleton<ModelRouter>();
        services.AddHostedService<GatewayConfigStartup>();
        services.AddGatewayAuthentication();

        // The forwarder logs each request and upstream URL at Information; the gateway logs one line per call itself.
        if (builder.Configuration["Logging:LogLevel:Yarp"] is null)
        {
            builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapLiteLlmHealthApi();
        app.MapOpenAiApi();
        return app;
    }
}
