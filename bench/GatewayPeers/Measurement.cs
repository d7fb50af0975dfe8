namespace GatewayPeers;

/// <summary>One target at one load in one round.</summary>
/// <param name="CpuSeconds">CPU time the target's processes used during the run (none for the direct call).</param>
internal sealed record Measurement(string Target, string Label, bool Stream, int Connections, int Round, WrkResult Result, long ResidentBytes, double CpuSeconds)
{
    /// <summary>The target's CPU time per request served, in microseconds.</summary>
    public double CpuMicrosecondsPerRequest => Result.Requests == 0 ? 0 : CpuSeconds * 1e6 / Result.Requests;
}
