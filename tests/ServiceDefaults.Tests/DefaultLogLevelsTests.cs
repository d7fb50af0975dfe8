using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Tests;

public sealed class DefaultLogLevelsTests
{
    [Fact]
    public async Task Framework_request_lines_are_quiet_by_default_and_application_lines_are_not()
    {
        await using var host = await TestWebHost.StartAsync(new Dictionary<string, string?>(), b => b.AddServiceDefaults(), app => app.MapDefaultEndpoints());
        await host.Client.GetStringAsync("/alive", TestContext.Current.CancellationToken);

        var factory = host.Services.GetRequiredService<ILoggerFactory>();
        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Gateway.Routing").IsEnabled(LogLevel.Information));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("Request starting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configuration_can_turn_framework_logging_back_up()
    {
        await using var host = await TestWebHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information" },
            b => b.AddServiceDefaults(),
            app => app.MapDefaultEndpoints());

        var factory = host.Services.GetRequiredService<ILoggerFactory>();
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Urls_set_on_the_builder_survive_the_service_defaults()
    {
        // TestWebHost sets a loopback URL with port 0 before AddServiceDefaults; the host must listen there.
        await using var host = await TestWebHost.StartAsync(new Dictionary<string, string?>(), b => b.AddServiceDefaults(), app => app.MapDefaultEndpoints());

        Assert.Equal("127.0.0.1", host.BaseAddress.Host);
        Assert.NotEqual(5000, host.BaseAddress.Port);
    }
}
