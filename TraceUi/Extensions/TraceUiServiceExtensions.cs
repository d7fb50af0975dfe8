using Storage.Relational;

namespace TraceUi.Extensions;

public static class TraceUiServiceExtensions
{
    /// <summary>Registers everything TraceUi needs; safe to call beside the other services in one host.</summary>
    public static IHostApplicationBuilder AddTraceUi(this IHostApplicationBuilder builder)
    {
        builder.AddRelationalStore();
        return builder;
    }

    public static IEndpointRouteBuilder MapTraceUi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
