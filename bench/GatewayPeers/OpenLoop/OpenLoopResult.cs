namespace GatewayPeers.OpenLoop;

/// <summary>
/// One open-loop run: the rate offered, the rate served, latency from each request's intended send time, and what
/// went wrong (failed: non-2xx or broken exchange; unsent: still queued when the run's grace period ended).
/// <paramref name="PacerLateP99"/>: how late the pacer released requests past their due times, p99 in milliseconds.
/// </summary>
internal sealed record OpenLoopResult(
    double OfferedPerSecond, double AchievedPerSecond, double P50, double P90, double P99, double Max, long Succeeded, long Failed, long Unsent, double GeneratorCpuSeconds, double PacerLateP99)
{
    public long Scheduled => Succeeded + Failed + Unsent;

    /// <summary>The generator's own CPU per request it sent, in microseconds: it shares the cores with the target.</summary>
    public double GeneratorCpuMicrosecondsPerRequest => Succeeded + Failed == 0 ? 0 : GeneratorCpuSeconds * 1e6 / (Succeeded + Failed);
}
