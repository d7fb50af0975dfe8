using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Inbound;

/// <summary>
/// Browsers may call the model API only from the origins in <c>Gateway:Cors:AllowedOrigins</c>; none by default,
/// and <c>*</c> only when written. Credentials travel in headers, never cookies, so credentialed CORS is never allowed.
/// </summary>
public sealed class GatewayCorsOptions
{
    public const string SectionName = "Gateway:Cors";
    internal const string PolicyName = "GatewayModelApi";

    /// <summary>Origins as browsers send them: <c>https://app.example.com</c>, <c>http://localhost:5173</c>; or <c>*</c> for any.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may reuse a preflight answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Answer headers a page may read: the gateway's routing headers and <c>Retry-After</c>.</summary>
    internal static string[] ExposedHeaders { get; } =
        [GatewayCall.ProviderHeader, GatewayCall.DeploymentHeader, GatewayCall.AttemptsHeader, GatewayCall.OverheadHeader, "Retry-After"];

    internal void Apply(CorsPolicyBuilder policy)
    {
        if (AllowedOrigins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(AllowedOrigins.Select(o => o.TrimEnd('/')).ToArray());
        }

        policy.WithMethods(HttpMethods.Get, HttpMethods.Post).AllowAnyHeader().WithExposedHeaders(ExposedHeaders).SetPreflightMaxAge(PreflightMaxAge);
    }
}

internal sealed class GatewayCorsOptionsValidator : IValidateOptions<GatewayCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayCorsOptions options)
    {
        var bad = options.AllowedOrigins.Where(origin => origin != "*" && !IsOrigin(origin)).ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{GatewayCorsOptions.SectionName}:AllowedOrigins: {string.Join(", ", bad.Select(o => $"'{o}'"))} "
                + "is not an origin (scheme://host[:port], without a path) or *.");
    }

    private static bool IsOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;
}

internal static class GatewayCors
{
    public static IServiceCollection AddGatewayCors(this IServiceCollection services)
    {
        services.AddOptions<GatewayCorsOptions>().BindConfiguration(GatewayCorsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayCorsOptions>, GatewayCorsOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<GatewayCorsOptions>>((cors, gateway) => cors.AddPolicy(GatewayCorsOptions.PolicyName, gateway.Value.Apply));
        return services;
    }
}
