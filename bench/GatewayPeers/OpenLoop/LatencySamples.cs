using System.Diagnostics;

namespace GatewayPeers.OpenLoop;

/// <summary>Every latency of a run (Stopwatch ticks), kept whole: a run is at most a few hundred thousand requests, so exact percentiles cost less than a histogram's code.</summary>
internal sealed class LatencySamples(IEnumerable<long> ticks)
{
    private readonly long[] _sorted = ticks.Order().ToArray();

    public int Count => _sorted.Length;

    /// <summary>The nearest-rank percentile in milliseconds (NaN when there is no sample).</summary>
    public double Percentile(double fraction) =>
        _sorted.Length == 0 ? double.NaN : Milliseconds(_sorted[Math.Clamp((int)Math.Ceiling(fraction * _sorted.Length) - 1, 0, _sorted.Length - 1)]);

    public double Max => _sorted.Length == 0 ? double.NaN : Milliseconds(_sorted[^1]);

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
