using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Standalone;

/// <summary>
/// Tells the person who just started the platform where it is and how to use it. Generated secrets are
/// written to the console once, directly, never through the logging pipeline (which may export to OTLP).
/// </summary>
internal sealed class StandaloneBanner(IServer server, StandaloneCredentials credentials, IHostApplicationLifetime lifetime, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var baseUrl = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? StandaloneHostExtensions.DefaultUrl;
        var values = credentials.Values;
        var output = Console.Out;
        output.WriteLine();
        output.WriteLine($"Platform is up at {baseUrl}  (health: {baseUrl}/health)");
        output.WriteLine($"  Web UI:                      {baseUrl}/   sign in as {values.AdminEmail.Value}");
        output.WriteLine($"  OpenAI base URL:             {baseUrl}/v1   models from {Gateway.Configuration.GatewayConfigFile.Locate(configuration)}");
        output.WriteLine($"  Langfuse host:               {baseUrl}   public key {values.ProjectPublicKey.Value}");
        if (credentials.GeneratedNow)
        {
            output.WriteLine("  Generated on this first start (shown once; kept in the credentials file):");
            WriteIfGenerated(output, "gateway master key", values.MasterKey);
            WriteIfGenerated(output, "Langfuse secret key", values.ProjectSecretKey);
            WriteIfGenerated(output, "admin password", values.AdminPassword);
        }

        output.WriteLine($"  Credentials file:            {credentials.FilePath}");
        output.WriteLine();
    }

    private static void WriteIfGenerated(TextWriter output, string label, StandaloneCredentials.Credential credential)
    {
        if (credential.Source == StandaloneCredentials.CredentialSource.Generated)
        {
            output.WriteLine($"    {label + ':',-21} {credential.Value}");
        }
    }
}
