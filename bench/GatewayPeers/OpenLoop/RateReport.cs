using System.Globalization;
using System.Text;

namespace GatewayPeers.OpenLoop;

/// <summary>Turns a rate sweep into its Markdown section of docs/benchmarks.md and a latency-against-throughput PNG (gnuplot).</summary>
internal sealed class RateReport(
    IReadOnlyList<RateStep> steps, IReadOnlyList<RunningTarget> targets, RunConditions conditions, PeerOptions options)
{
    public Task WriteAsync(string outputPrefix) => ReportFiles.WriteAsync(outputPrefix, WritePlotAsync, Markdown);

    private string Markdown(string plotFile, bool plotted)
    {
        var text = new StringBuilder();
        conditions.AppendHeader(text, "bench/run-gateway-rate-sweep.sh");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Method: open loop, the bench's own generator (request i due at start + i/rate, {options.Connections} keep-alive connections drain the due requests, latency measured from each request's due time, so queueing behind a slow target counts: corrected for coordinated omission); {options.Duration.TotalSeconds:0} s per step, offered {string.Join(", ", options.Rates.Select(r => r.ToString("#,0", CultureInfo.InvariantCulture)))} req/s, targets in alternating order at each step; a target leaves the ladder after the first step where it served under 90 % of the offered rate, its p99 passed {RateStep.P99StopMilliseconds:0} ms or over 1 % of requests failed or stayed unsent. Achieved = 2xx answers per second from the first due time to the last answer; unsent = still queued {Math.Min(10, Math.Max(2, options.Duration.TotalSeconds)):0} s after the schedule ended; CPU = user + system time of the target's processes (/proc) per request; generator = this harness's own CPU per request, on the same cores; pacer late = how far past their due times the generator released requests (p99), its own share of the latencies.");
        text.AppendLine();
        foreach (var stream in new[] { false, true })
        {
            text.AppendLine(stream ? "**Streaming chat completions (SSE, 9 events), fixed rates**" : "**Non-streaming chat completions, fixed rates**");
            text.AppendLine();
            text.AppendLine("| target | offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | failed | unsent | CPU µs/request | generator µs/request | pacer late p99 ms |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var target in targets)
            {
                foreach (var step in steps.Where(s => s.Target == target.Name && s.Stream == stream))
                {
                    var r = step.Result;
                    var cpu = target.Name == "direct" ? "–" : step.CpuMicrosecondsPerRequest.ToString("0", CultureInfo.InvariantCulture);
                    text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {target.Label} | {r.OfferedPerSecond:#,0} | {r.AchievedPerSecond:#,0}{(step.Saturated ? " (saturated)" : "")} | {Milliseconds(r.P50, "0.000")} | {Milliseconds(r.P90, "0.000")} | {Milliseconds(r.P99, "0.000")} | {Milliseconds(r.Max, "0.0")} | {r.Failed:#,0} | {r.Unsent:#,0} | {cpu} | {r.GeneratorCpuMicrosecondsPerRequest:0} | {r.PacerLateP99:0.000} |"));
                }
            }

            text.AppendLine();
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"**Maximum throughput with p99 under {RunConditions.P99Ceiling:0} ms, open loop** (the highest step where the target served at least 90 % of the offered rate with no failed or unsent request and p99 under {RunConditions.P99Ceiling:0} ms; the ladder's spacing bounds its resolution)");
        text.AppendLine();
        text.AppendLine("| target | non-streaming req/s | vs nginx | vs Portkey | streaming req/s | vs nginx | vs Portkey | peak RSS MB |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var target in targets)
        {
            var peak = target.Name == "direct" ? "–" : (steps.Where(s => s.Target == target.Name).Max(s => s.ResidentBytes) / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
            text.AppendLine($"| {target.Label} | {BestColumns(target.Name, stream: false)} | {BestColumns(target.Name, stream: true)} | {peak} |");
        }

        if (plotted)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![p50 and p99 latency against achieved throughput at fixed offered rates, non-streaming and streaming](benchmarks/{plotFile})");
        }

        var failed = steps.Sum(s => s.Result.Failed);
        var unsent = steps.Sum(s => s.Result.Unsent);
        text.AppendLine();
        text.AppendLine(failed + unsent == 0 ? "Every scheduled request was sent and answered with 2xx." : $"**{failed:#,0} requests failed and {unsent:#,0} stayed unsent** across the steps: see the tables and the console output.");
        return text.ToString();
    }

    /// <summary>A latency, or a dash for a step in which no request succeeded.</summary>
    private static string Milliseconds(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private string BestColumns(string target, bool stream)
    {
        var best = Best(target, stream);
        if (best is null)
        {
            return $"none under {RunConditions.P99Ceiling:0} ms | – | –";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{best.Result.AchievedPerSecond:#,0} | {Ratio(best, Best("nginx", stream))} | {Ratio(best, Best("portkey", stream))}");
    }

    private RateStep? Best(string target, bool stream) =>
        steps.Where(s => s.Target == target && s.Stream == stream && s.KeptUpUnder(RunConditions.P99Ceiling)).MaxBy(s => s.Result.AchievedPerSecond);

    private static string Ratio(RateStep value, RateStep? reference) =>
        reference is null ? "–" : (value.Result.AchievedPerSecond / reference.Result.AchievedPerSecond).ToString("0.00×", CultureInfo.InvariantCulture);

    /// <summary>Two panels (non-streaming, streaming): per target, p99 solid and p50 dashed in one colour, against achieved req/s; both axes logarithmic.</summary>
    private async Task<bool> WritePlotAsync(string outputPrefix)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gateway-rate-plot-").FullName;
        try
        {
            var panels = new List<string>();
            foreach (var stream in new[] { false, true })
            {
                var lines = new List<string>();
                for (var i = 0; i < targets.Count; i++)
                {
                    var points = steps.Where(s => s.Target == targets[i].Name && s.Stream == stream && s.Result.Succeeded > 0).ToList();
                    if (points.Count == 0)
                    {
                        continue;
                    }

                    var file = Path.Combine(dataDirectory, $"{targets[i].Name}-{(stream ? "stream" : "json")}.dat");
                    await File.WriteAllLinesAsync(file, points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Result.AchievedPerSecond} {p.Result.P50} {p.Result.P99}")));
                    lines.Add($"'{file}' using 1:3 with linespoints linecolor {i + 1} pointtype 7 title '{targets[i].Label}'");
                    lines.Add($"'{file}' using 1:2 with linespoints linecolor {i + 1} dashtype 2 pointtype 6 notitle");
                }

                panels.Add($"""
                    set title '{(stream ? "Streaming (SSE)" : "Non-streaming")}: p99 solid, p50 dashed'
                    {(lines.Count == 0 ? "unset key\nset label 1 'no data' at graph 0.5, graph 0.5\nplot 1/0 notitle\nunset label 1\nset key below font 'sans,9'" : "plot " + string.Join(", ", lines))}
                    """);
            }

            var script = Path.Combine(dataDirectory, "plot.gp");
            await File.WriteAllTextAsync(script, $"""
                set terminal pngcairo size 1400,720 font 'sans,10'
                set output '{Path.GetFullPath(outputPrefix)}.png'
                set multiplot layout 1,2 title 'Latency from intended send time against achieved throughput, fixed offered rates (open loop, {options.Duration.TotalSeconds:0} s per step)'
                set logscale xy
                set grid
                set key below font 'sans,9'
                set xlabel 'achieved requests per second'
                set ylabel 'latency (ms)'
                {string.Join("\n", panels)}
                unset multiplot
                """);
            return await Gnuplot.TryRunAsync(script);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
