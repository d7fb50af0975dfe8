using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Storage.Relational;

namespace Storage.Tests.Relational;

/// <summary>A generic host with only the relational store, started the way a service starts it.</summary>
internal sealed class RelationalStoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RelationalStoreHost(IHost host, CapturedLogs logs)
    {
        _host = host;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }
    public IServiceProvider Services => _host.Services;

    public static async Task<RelationalStoreHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.AddRelationalStore();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new RelationalStoreHost(host, logs);
    }

    public async Task<T> QueryAsync<T>(Func<PlatformDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PlatformDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
