using System.Globalization;

namespace GatewayPeers;

/// <summary>Command line: <c>[--duration seconds] [--rounds n] [--targets a,b] [--output path-prefix]</c>.</summary>
internal sealed record PeerOptions(TimeSpan Duration, int Rounds, IReadOnlySet<string>? Targets, string Output)
{
    /// <summary>The connection counts the report's tables use; the sweep adds points for the throughput curve.</summary>
    public static readonly int[] ReportedConnections = [1, 16, 64];
    public static readonly int[] SweepConnections = [4, 32, 128];

    public static PeerOptions Parse(string[] args)
    {
        var duration = 10;
        var rounds = 2;
        IReadOnlySet<string>? targets = null;
        var output = Path.Combine("docs", "benchmarks", "gateway-peers");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--duration": duration = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--targets": targets = args[i + 1].Split(',').Append("direct").ToHashSet(StringComparer.Ordinal); break;
                case "--output": output = args[i + 1]; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new PeerOptions(TimeSpan.FromSeconds(duration), Math.Max(1, rounds), targets, output);
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
