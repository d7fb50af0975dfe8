namespace Gateway.Tests;

/// <summary>The response headers that say which deployment answered (the gateway's names, restated so a rename breaks the tests).</summary>
internal static class GatewayCallHeaders
{
    public const string Provider = "x-gateway-provider";
    public const string Deployment = "x-gateway-deployment";
    public const string Attempts = "x-gateway-attempts";
    public const string Overhead = "x-gateway-overhead-ms";
}
