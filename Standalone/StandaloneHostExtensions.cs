using Gateway.Configuration;
using Storage;

namespace Standalone;

public static class StandaloneHostExtensions
{
    public const string DefaultUrl = "http://localhost:4000";

    /// <summary>The gateway config shipped beside the host: mock models that need no provider key.</summary>
    public const string DefaultGatewayConfig = "gateway-config.yaml";

    /// <summary>
    /// One port (4000, LiteLLM's default) unless the caller chose URLs, credentials that exist from the first
    /// start (given ones are used, otherwise generated once and kept in the data directory), and a gateway
    /// config with mock models when none is given.
    /// </summary>
    public static WebApplicationBuilder AddStandaloneDefaults(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(configuration["HTTP_PORTS"])
            && string.IsNullOrWhiteSpace(configuration["HTTPS_PORTS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var dataDirectory = configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.DataDirectory)}"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = StorageOptions.DefaultDataDirectory();
        }

        var credentials = StandaloneCredentials.Resolve(configuration, Path.GetFullPath(dataDirectory));
        configuration.AddInMemoryCollection(credentials.ConfigurationValues());
        if (GatewayConfigFile.Locate(configuration) is null)
        {
            configuration.AddInMemoryCollection([new(GatewayConfigFile.EnvironmentKey, Path.Combine(AppContext.BaseDirectory, DefaultGatewayConfig))]);
        }

        builder.Services.AddSingleton(credentials);
        builder.Services.AddHostedService<StandaloneBanner>();
        return builder;
    }
}
