using System.Globalization;

namespace GatewayPeers;

/// <summary>
/// Command line: <c>[--mode closed|rate] [--duration seconds] [--rounds n] [--targets a,b] [--output path-prefix]
/// [--rates r1,r2,…] [--connections n]</c>; the last two are for the open-loop rate sweep (<c>--mode rate</c>).
/// </summary>
internal sealed record PeerOptions(bool RateSweep, TimeSpan Duration, int Rounds, IReadOnlySet<string>? Targets, string Output, IReadOnlyList<int> Rates, int Connections)
{
    /// <summary>The offered rates of the open-loop sweep (req/s): roughly doubling, then closer steps where nginx and the gateway saturate.</summary>
    public static readonly int[] DefaultRates = [500, 1000, 2000, 4000, 8000, 12000, 16000, 24000, 32000, 48000];

    /// <summary>The connection counts the report's tables use; the sweep adds points for the throughput curve.</summary>
    public static readonly int[] ReportedConnections = [1, 16, 64];
    public static readonly int[] SweepConnections = [4, 32, 128];

    public static PeerOptions Parse(string[] args)
    {
        var rateSweep = false;
        int? duration = null;
        var rounds = 2;
        IReadOnlySet<string>? targets = null;
        string? output = null;
        IReadOnlyList<int> rates = DefaultRates;
        var connections = 128;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--mode": rateSweep = args[i + 1] switch { "rate" => true, "closed" => false, _ => throw new ArgumentException("--mode is 'closed' or 'rate'.") }; break;
                case "--rates": rates = [.. args[i + 1].Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).Where(r => r > 0).Order()]; break;
                case "--connections": connections = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--duration": duration = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--targets": targets = args[i + 1].Split(',').Append("direct").ToHashSet(StringComparer.Ordinal); break;
                case "--output": output = args[i + 1]; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Option '{args[^1]}' has no value.");
        }

        // The rate sweep runs every target at up to ten rates twice (JSON, SSE), so its steps are shorter by default.
        return new PeerOptions(
            rateSweep, TimeSpan.FromSeconds(duration ?? (rateSweep ? 5 : 10)), Math.Max(1, rounds), targets,
            output ?? Path.Combine("docs", "benchmarks", rateSweep ? "gateway-rate-sweep" : "gateway-peers"), rates, Math.Max(1, connections));
    }

    /// <summary>Every (round, stream, connections) to run, in order: the reported loads each round, the sweep once.</summary>
    public IEnumerable<(int Round, bool Stream, int Connections)> Plan()
    {
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var stream in new[] { false, true })
            {
                foreach (var connections in ReportedConnections)
                {
                    yield return (round, stream, connections);
                }
            }
        }

        foreach (var connections in SweepConnections)
        {
            yield return (1, false, connections);
        }
    }
}
