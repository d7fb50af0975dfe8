using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests;

/// <summary>The gateway composed exactly as its Program.cs does, on a private embedded store.</summary>
internal static class GatewayHost
{
    public static Task<TestWebHost> StartAsync(TemporaryDirectory data, IDictionary<string, string?>? settings = null)
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
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGatewayApi();
            });
    }
}
