using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Storage.Governance;

namespace TraceUi.RemoteGateway;

public static class RemoteGatewayExtensions
{
    /// <summary>
    /// Reads the gateway's live catalog and status over HTTP when the gateway is not composed in this host and
    /// <c>TraceUi:Gateway:Url</c> is set; otherwise leaves the host as it is (the in-process gateway, or none).
    /// </summary>
    public static IHostApplicationBuilder AddRemoteGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RemoteGatewayOptions.SectionName}:{nameof(RemoteGatewayOptions.Url)}"])
            || services.Any(s => s.ServiceType == typeof(IGatewayModels) || s.ServiceType == typeof(IGatewayStatus)))
        {
            return builder;
        }

        services.AddOptions<RemoteGatewayOptions>().BindConfiguration(RemoteGatewayOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) => options.MasterKey ??= configuration["LITELLM_MASTER_KEY"])
            .Validate(o => Uri.TryCreate(o.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps),
                "TraceUi:Gateway:Url must be an absolute http or https URL.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "TraceUi:Gateway:Timeout must be positive.")
            .ValidateOnStart();
        // One short attempt: a page falls back to the database view rather than wait for retries.
#pragma warning disable EXTEXP0001 // the supported way to opt one client out of ConfigureHttpClientDefaults' handler
        services.AddHttpClient(RemoteGatewayCatalog.HttpClientName, (provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<RemoteGatewayOptions>>().Value;
                client.BaseAddress = new Uri(options.Url!);
                client.Timeout = options.Timeout;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<RemoteGatewayCatalog>();
        services.AddSingleton<IGatewayModels>(provider => provider.GetRequiredService<RemoteGatewayCatalog>());
        services.AddSingleton<IGatewayStatus>(provider => provider.GetRequiredService<RemoteGatewayCatalog>());
        return builder;
    }
}
