using Gateway.Configuration;
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

        builder.Services.AddOptions<MasterKeyOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MasterKeyOptions>, MasterKeyOptionsValidator>());
        return builder;
    }

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapLiteLlmHealthApi();
        return app;
    }
}
