using System.Globalization;

namespace GatewayPeers.OpenLoop;

/// <summary>
/// Offers each target the same ladder of fixed request rates, non-streaming then streaming; at each rate every target
/// still on the ladder runs once, in an order that alternates from step to step, and a target leaves the ladder after
/// its first saturated step (<see cref="RateStep.Saturated"/>).
/// </summary>
internal static class RateSweep
{
    public static async Task<IReadOnlyList<RateStep>> RunAsync(IReadOnlyList<RunningTarget> targets, PeerOptions options)
    {
        // Warm every target (JIT, connection pools) before anything is measured.
        foreach (var target in targets)
        {
            await OpenLoopLoad.RunAsync(target, stream: false, 500, TimeSpan.FromSeconds(2), options.Connections);
            await OpenLoopLoad.RunAsync(target, stream: true, 500, TimeSpan.FromSeconds(2), options.Connections);
        }

        var steps = new List<RateStep>();
        foreach (var stream in new[] { false, true })
        {
            var climbing = targets.ToList();
            for (var index = 0; index < options.Rates.Count && climbing.Count > 0; index++)
            {
                var ordered = index % 2 == 0 ? climbing.ToList() : Enumerable.Reverse(climbing).ToList();
                foreach (var target in ordered)
                {
                    var step = await RunStepAsync(target, stream, options.Rates[index], options);
                    steps.Add(step);
                    if (step.Saturated)
                    {
                        climbing.Remove(target);
                    }
                }
            }
        }

        return steps;
    }

    private static async Task<RateStep> RunStepAsync(RunningTarget target, bool stream, int rate, PeerOptions options)
    {
        var cpuBefore = ProcessCpu.Seconds(target.ProcessIds);
        var result = await OpenLoopLoad.RunAsync(target, stream, rate, options.Duration, options.Connections);
        var cpu = ProcessCpu.Seconds(target.ProcessIds) - cpuBefore;
        var step = new RateStep(target.Name, target.Label, stream, result, cpu, ProcessMemory.ResidentBytes(target.ProcessIds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(stream ? "stream" : "json  ")} {target.Name,-16} offered {rate,6} achieved {result.AchievedPerSecond,8:0} req/s  p50 {result.P50,8:0.000} p99 {result.P99,9:0.000} max {result.Max,9:0.0} ms  failed {result.Failed} unsent {result.Unsent}  CPU {step.CpuMicrosecondsPerRequest,5:0} µs/req  generator {result.GeneratorCpuMicrosecondsPerRequest,4:0} µs/req, pacer late p99 {result.PacerLateP99:0.000} ms{(step.Saturated ? "  (saturated: leaves the ladder)" : "")}"));
        return step;
    }
}
