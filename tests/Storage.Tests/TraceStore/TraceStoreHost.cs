using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Storage.TraceStore;

namespace Storage.Tests.TraceStore;

/// <summary>A generic host with only the trace store, started the way a service starts it.</summary>
internal sealed class TraceStoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private TraceStoreHost(IHost host, CapturedLogs logs)
    {
        _host = host;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }
    public IServiceProvider Services => _host.Services;
    public ClickHouseTraceStore Store => Services.GetRequiredService<ClickHouseTraceStore>();

    public static async Task<TraceStoreHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.AddTraceStore();
        var host = builder.Build();
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TraceStoreHost(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
