using System.Reflection;

namespace Gateway.Tests.Governance;

/// <summary>The gateway started as a deployment starts it: its own process, its own build output, configured through its environment.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly string AssemblyPath = typeof(GatewayProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GatewayAssembly").Value!;

    private GatewayProcess(ExternalProcess process, HttpClient client)
    {
        Process = process;
        Client = client;
    }

    public ExternalProcess Process { get; }

    public HttpClient Client { get; }

    public static async Task<GatewayProcess> StartAsync(string configPath, string dataDirectory, IDictionary<string, string?> environment)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}");
        var variables = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_NOLOGO"] = "1",
            ["LITELLM_MASTER_KEY"] = GatewayHost.MasterKey,
            ["Storage__DataDirectory"] = dataDirectory,
        };
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }

        var process = ExternalProcess.Start(
            "dotnet",
            [AssemblyPath, "--urls", baseAddress.ToString().TrimEnd('/'), "--config", configPath],
            variables,
            workingDirectory: Path.GetDirectoryName(AssemblyPath));
        var client = new HttpClient { BaseAddress = baseAddress };
        var gateway = new GatewayProcess(process, client);
        try
        {
            await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Assert.False(Process.HasExited, $"The gateway process exited with {(Process.HasExited ? Process.ExitCode : 0)}: {Process.Output}");
            try
            {
                using var response = await Client.GetAsync("/health", TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"The gateway process was not ready within {within}: {Process.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
