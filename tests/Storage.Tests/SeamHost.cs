using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Storage.Tests;

/// <summary>A started generic host with one seam registered from the given settings, as a service would register it.</summary>
internal sealed class SeamHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SeamHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<SeamHost> StartAsync(IDictionary<string, string?> settings, Action<IHostApplicationBuilder> addSeam)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        addSeam(builder);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new SeamHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
