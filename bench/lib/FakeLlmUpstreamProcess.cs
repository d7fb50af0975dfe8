using System.Globalization;
using TestInfrastructure;

/// <summary>
/// bench/FakeLlmUpstream in its own process: answers from bytes built once and drops the Langfuse batches sent to it,
/// so neither answering nor taking traces weighs on the process that measures.
/// </summary>
internal static class FakeLlmUpstreamProcess
{
    /// <param name="latencyMs">How long it waits before answering a chat completion: 0 answers at once.</param>
    /// <param name="latencySpreadMs">Over how many further milliseconds its waits spread (bench/FakeLlmUpstream/UpstreamOptions.cs).</param>
    public static async Task<ExternalProcess> StartAsync(string repository, int port, int latencyMs = 0, int latencySpreadMs = 0)
    {
        var dll = Path.Combine(repository, "bench", "FakeLlmUpstream", "bin", "Release", "net10.0", "FakeLlmUpstream.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: run 'dotnet build bench/FakeLlmUpstream -c Release' first (the bench's run script does).");
        }

        var process = ExternalProcess.Start("dotnet",
            [dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture),
             "--latency-spread-ms", latencySpreadMs.ToString(CultureInfo.InvariantCulture)]);
        await ListeningProcess.WaitAsync(process, port, "fake upstream");
        return process;
    }
}
