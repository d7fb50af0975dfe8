using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests;

/// <summary>The gateway composed exactly as its Program.cs does, on a private embedded store.</summary>
internal static class GatewayHost
{
    public const string MasterKey = "sk-test-master-key-0123456789";

    /// <param name="configure">Runs after <c>AddGateway</c>: what a test puts in place of the world outside (e.g. Entra ID's address).</param>
    /// <param name="map">Runs after <c>MapGatewayApi</c>: endpoints only the test needs.</param>
    public static Task<TestWebHost> StartAsync(TemporaryDirectory data, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var all = new Dictionary<string, string?> { ["Storage:DataDirectory"] = data.Path };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return TestWebHost.StartAsync(
            all,
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddGateway();
                configure?.Invoke(builder);
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGatewayApi();
                map?.Invoke(app);
            });
    }

    /// <summary>
    /// Starts the gateway with <paramref name="yaml"/> as its <c>config.yaml</c> (given as <c>--config</c>) and the test
    /// master key. Each host gets a directory of its own for the file, since the gateway watches that directory.
    /// </summary>
    public static async Task<TestWebHost> StartWithConfigAsync(TemporaryDirectory data, string yaml, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var directory = Directory.CreateDirectory(data.Combine($"config-{Guid.NewGuid():N}"));
        var path = Path.Combine(directory.FullName, "config.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var all = new Dictionary<string, string?> { ["config"] = path, ["LITELLM_MASTER_KEY"] = MasterKey };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return await StartAsync(data, all, configure, map);
    }
}
