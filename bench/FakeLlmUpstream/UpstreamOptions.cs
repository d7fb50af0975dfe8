using System.Globalization;

namespace FakeLlmUpstream;

/// <summary>
/// Command line: <c>--port N --latency-ms N --latency-spread-ms N --chunks N --chunk-interval-ms N</c>. With a spread,
/// the k-th chat completion waits <c>latency + spread × ((37 k) mod 100) / 100</c> ms: a hundred latencies evenly
/// over the spread, in an order that scatters them, and the same multiset in every hundred calls.
/// </summary>
internal sealed record UpstreamOptions(int Port, int LatencyMs, int LatencySpreadMs, int Chunks, int ChunkIntervalMs)
{
    public static UpstreamOptions Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["--port"] = 8089, ["--latency-ms"] = 0, ["--latency-spread-ms"] = 0, ["--chunks"] = 8, ["--chunk-interval-ms"] = 0,
        };
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"Unknown or malformed option '{args[i]}'. Options: {string.Join(' ', values.Keys)} followed by a whole number.");
            }

            values[args[i]] = value;
        }

        return new UpstreamOptions(values["--port"], values["--latency-ms"], values["--latency-spread-ms"], Math.Max(1, values["--chunks"]), values["--chunk-interval-ms"]);
    }
}
