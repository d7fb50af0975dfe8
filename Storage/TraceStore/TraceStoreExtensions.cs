using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storage.TraceStore.Chdb.Http;
using Storage.TraceStore.Queries;
using Storage.TraceStore.Summaries;

namespace Storage.TraceStore;

public static class TraceStoreExtensions
{
    /// <summary>Aspire connection name of the ClickHouse server (<c>ConnectionStrings:clickhouse</c>).</summary>
    public const string ConnectionName = "clickhouse";

    public const string Seam = "trace";

    /// <summary>
    /// Registers <see cref="ClickHouseTraceStore"/>: a ClickHouse server when <c>ConnectionStrings:clickhouse</c>
    /// or <c>ClickHouse:Endpoint</c> is set, otherwise the embedded chDB engine in the data directory. Schema
    /// migrations run before the host serves. Safe to call from every service composed into one host.
    /// </summary>
    public static IHostApplicationBuilder AddTraceStore(this IHostApplicationBuilder builder)
    {
        var target = TraceStoreTarget.FromConfiguration(builder.Configuration);
        if (!builder.Services.TryRegisterSeam<TraceStoreRegistration>(target.Backend))
        {
            return builder;
        }

        builder.Services.AddSingleton(target);
        builder.Services.AddOptions<TraceStoreOptions>()
            .Bind(builder.Configuration.GetSection(TraceStoreOptions.SectionName))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TraceStoreOptions>, TraceStoreOptionsValidator>());
        builder.Services.AddSingleton(services =>
            ClickHouseTraceStore.Create(target, services.GetRequiredService<IOptions<TraceStoreOptions>>().Value));
        builder.Services.AddHostedService<TraceStoreInitializer>();
        builder.Services.AddSingleton<TraceRowQueries>();
        builder.Services.AddSingleton<TraceSummaryWriter>();
        builder.Services.AddSingleton<TraceSummaryInputs>();

        var port = builder.Configuration.GetSection(TraceStoreOptions.SectionName).GetValue<int?>(nameof(TraceStoreOptions.EmbeddedHttpPort));
        if (target.IsEmbedded && port is { } embeddedHttpPort)
        {
            builder.Services.AddHostedService(services => new ChdbLoopbackServer(
                services.GetRequiredService<ClickHouseTraceStore>(),
                embeddedHttpPort,
                services.GetRequiredService<ILogger<ChdbLoopbackServer>>()));
        }

        builder.Services.AddHealthChecks().AddCheck<TraceStoreHealthCheck>(Seam, tags: ["ready"]);
        return builder;
    }

    private sealed class TraceStoreRegistration;
}
