using System.Globalization;
using System.Text;
using TestInfrastructure;

namespace GatewayPeers;

/// <summary>Turns the measurements into the Markdown section of docs/benchmarks.md and a PNG plot (gnuplot).</summary>
internal sealed class PeerReport(
    IReadOnlyList<Measurement> measurements, IReadOnlyList<RunningTarget> targets, RunConditions conditions, PeerOptions options)
{
    public Task WriteAsync(string outputPrefix) => ReportFiles.WriteAsync(outputPrefix, WritePlotAsync, Markdown);

    private string Markdown(string plotFile, bool plotted)
    {
        var text = new StringBuilder();
        conditions.AppendHeader(text, "bench/run-gateway-peers.sh");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Method: wrk, closed loop, {options.Duration.TotalSeconds:0} s per run, {options.Rounds} rounds in alternating target order; values are the median over rounds (max: the highest over rounds; errors: the sum). Added = target minus direct at the same connection count; CPU = user + system time of the target's processes (/proc) over the run, divided by the requests it served.");
        text.AppendLine();
        foreach (var stream in new[] { false, true })
        {
            text.AppendLine(stream ? "**Streaming chat completions (SSE, 9 events)**" : "**Non-streaming chat completions**");
            text.AppendLine();
            text.AppendLine("| target | connections | req/s | p50 ms | p90 ms | p99 ms | max ms | added p50 ms | added p99 ms | errors | CPU µs/request | RSS MB |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var connections in PeerOptions.ReportedConnections)
            {
                var baseline = Median("direct", stream, connections);
                foreach (var target in targets)
                {
                    var row = Median(target.Name, stream, connections);
                    if (row is null || baseline is null)
                    {
                        continue;
                    }

                    var added = target.Name == "direct" ? "| – | – " : string.Create(CultureInfo.InvariantCulture, $"| {row.P50 - baseline.P50:0.000} | {row.P99 - baseline.P99:0.000} ");
                    text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {target.Label} | {connections} | {row.RequestsPerSecond:#,0} | {row.P50:0.000} | {row.P90:0.000} | {row.P99:0.000} | {row.Max:0.0} {added}| {row.Errors:#,0} | {Cpu(target.Name, stream, connections)} | {Rss(target.Name, stream, connections)} |"));
                }
            }

            text.AppendLine();
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"**Maximum throughput with p99 under {RunConditions.P99Ceiling:0} ms** (non-streaming, best over connection counts {string.Join(", ", PeerOptions.ReportedConnections.Concat(PeerOptions.SweepConnections).Order())})");
        text.AppendLine();
        text.AppendLine("| target | req/s | at connections | vs nginx | vs Portkey | peak RSS MB |");
        text.AppendLine("|---|---|---|---|---|---|");
        var nginx = Best("nginx");
        var portkey = Best("portkey");
        foreach (var target in targets)
        {
            var best = Best(target.Name);
            var peak = measurements.Where(m => m.Target == target.Name).Max(m => m.ResidentBytes) / 1048576.0;
            text.AppendLine(best is null
                ? $"| {target.Label} | none under {RunConditions.P99Ceiling:0} ms | | | | {peak:0} |"
                : string.Create(CultureInfo.InvariantCulture,
                    $"| {target.Label} | {best.Result.RequestsPerSecond:#,0} | {best.Connections} | {Ratio(best, nginx)} | {Ratio(best, portkey)} | {peak:0} |"));
        }

        if (plotted)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![Latency against throughput, non-streaming](benchmarks/{plotFile})");
        }

        var errors = measurements.Sum(m => m.Result.Errors);
        text.AppendLine();
        text.AppendLine(errors == 0 ? "Every request in every run succeeded." : $"**{errors} requests failed** across the runs (socket errors or non-2xx): see the console output.");
        return text.ToString();
    }

    private WrkResult? Median(string target, bool stream, int connections)
    {
        var runs = measurements.Where(m => m.Target == target && m.Stream == stream && m.Connections == connections).Select(m => m.Result).ToList();
        return runs.Count == 0 ? null : new WrkResult(
            MedianOf(runs.Select(r => r.RequestsPerSecond)), MedianOf(runs.Select(r => r.P50)), MedianOf(runs.Select(r => r.P75)),
            MedianOf(runs.Select(r => r.P90)), MedianOf(runs.Select(r => r.P99)), runs.Max(r => r.Max), runs.Sum(r => r.Requests), runs.Sum(r => r.Errors));
    }

    /// <summary>The target's own CPU per request, median over rounds; the direct call has no process of its own.</summary>
    private string Cpu(string target, bool stream, int connections) =>
        target == "direct" ? "–" : MedianOf(measurements.Where(m => m.Target == target && m.Stream == stream && m.Connections == connections)
            .Select(m => m.CpuMicrosecondsPerRequest)).ToString("0", CultureInfo.InvariantCulture);

    private string Rss(string target, bool stream, int connections) =>
        target == "direct" ? "–" : (measurements.Where(m => m.Target == target && m.Stream == stream && m.Connections == connections).Max(m => m.ResidentBytes) / 1048576.0).ToString("0", CultureInfo.InvariantCulture);

    private Measurement? Best(string target) => measurements
        .Where(m => m.Target == target && !m.Stream && m.Result.P99 < RunConditions.P99Ceiling && m.Result.Errors == 0)
        .MaxBy(m => m.Result.RequestsPerSecond);

    private static string Ratio(Measurement value, Measurement? reference) =>
        reference is null ? "–" : (value.Result.RequestsPerSecond / reference.Result.RequestsPerSecond).ToString("0.00×", CultureInfo.InvariantCulture);

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>p50 and p99 against throughput for each target, one point per connection count; false when gnuplot is missing.</summary>
    private async Task<bool> WritePlotAsync(string outputPrefix)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gateway-peers-plot-").FullName;
        var series = new List<(string File, string Label)>();
        foreach (var target in targets)
        {
            var points = measurements.Where(m => m.Target == target.Name && !m.Stream && m.Round == 1).OrderBy(m => m.Connections).ToList();
            var file = Path.Combine(dataDirectory, target.Name + ".dat");
            await File.WriteAllLinesAsync(file, points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Result.RequestsPerSecond} {p.Result.P50} {p.Result.P99} {p.Connections}")));
            series.Add((file, target.Label));
        }

        string Plot(int column) => string.Join(", ", series.Select(s => $"'{s.File}' using 1:{column} with linespoints title '{s.Label}'"));
        var script = Path.Combine(dataDirectory, "plot.gp");
        await File.WriteAllTextAsync(script, $"""
            set terminal pngcairo size 1400,560 font 'sans,10'
            set output '{Path.GetFullPath(outputPrefix)}.png'
            set multiplot layout 1,2 title 'Chat completions through each target, one point per connection count (1, 4, 16, 32, 64, 128)'
            set logscale y
            set grid
            set key top left
            set xlabel 'requests per second'
            set ylabel 'latency (ms)'
            set title 'p50'
            plot {Plot(2)}
            set title 'p99'
            plot {Plot(3)}
            unset multiplot
            """);
        try
        {
            return await Gnuplot.TryRunAsync(script);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
