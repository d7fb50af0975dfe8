using System.Reflection;

namespace Standalone.Tests;

/// <summary>The Standalone host started as a person starts it: its own process, its own build output.</summary>
internal static class StandaloneProcess
{
    private static readonly string AssemblyPath = typeof(StandaloneProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "StandaloneAssembly").Value!;

    public static async Task<(ExternalProcess Process, Uri BaseAddress)> StartAsync(string dataDirectory, IDictionary<string, string?>? environment = null)
    {
        var port = FreeTcpPort.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var variables = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var process = ExternalProcess.Start(
            "dotnet",
            [AssemblyPath, "--urls", baseAddress.ToString().TrimEnd('/'), "--Storage:DataDirectory", dataDirectory],
            variables,
            workingDirectory: Path.GetDirectoryName(AssemblyPath));
        await process.WaitForOutputAsync("Platform is up at", TimeSpan.FromSeconds(60));
        return (process, baseAddress);
    }
}
