using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestInfrastructure;

/// <summary>
/// A service host composed the way its Program.cs composes it, on real Kestrel at 127.0.0.1 on a free port,
/// configured only from the settings the test gives (no environment variables leak in), with its logs captured.
/// </summary>
public sealed class TestWebHost : IAsyncDisposable
{
    private TestWebHost(WebApplication app, Uri baseAddress, CapturedLogs logs)
    {
        App = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public CapturedLogs Logs { get; }
    public IServiceProvider Services => App.Services;

    public static async Task<TestWebHost> StartAsync(
        IDictionary<string, string?> settings,
        Action<WebApplicationBuilder> addServices,
        Action<WebApplication> mapEndpoints,
        string environment = "Production")
    {
        var builder = CreateBuilder(settings, environment);
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        addServices(builder);

        var app = builder.Build();
        mapEndpoints(app);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestWebHost(app, new Uri(address), logs);
    }

    /// <summary>A builder whose configuration holds exactly <paramref name="settings"/>, listening on a free loopback port.</summary>
    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> settings, string environment = "Production")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
