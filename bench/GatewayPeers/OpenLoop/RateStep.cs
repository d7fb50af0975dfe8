namespace GatewayPeers.OpenLoop;

/// <summary>One target at one offered rate: the generator's result and what the target's processes used meanwhile.</summary>
internal sealed record RateStep(string Target, string Label, bool Stream, OpenLoopResult Result, double TargetCpuSeconds, long ResidentBytes)
{
    /// <summary>Past this p99 a target's ladder stops: the latency is queueing, and higher rates only queue more.</summary>
    public const double P99StopMilliseconds = 500;

    /// <summary>The target's CPU time per request it answered, in microseconds.</summary>
    public double CpuMicrosecondsPerRequest => Result.Succeeded + Result.Failed == 0 ? 0 : TargetCpuSeconds * 1e6 / (Result.Succeeded + Result.Failed);

    /// <summary>Served under 90 % of the offered rate, p99 past the stop bound, or more than 1 % not answered with 2xx.</summary>
    public bool Saturated =>
        Result.AchievedPerSecond < 0.9 * Result.OfferedPerSecond || !(Result.P99 <= P99StopMilliseconds) || Result.Failed + Result.Unsent > 0.01 * Result.Scheduled;

    /// <summary>Whether this step counts towards "throughput with p99 under the ceiling": kept up, no error, p99 under it.</summary>
    public bool KeptUpUnder(double p99Ceiling) =>
        Result.AchievedPerSecond >= 0.9 * Result.OfferedPerSecond && Result.P99 < p99Ceiling && Result.Failed + Result.Unsent == 0;
}
