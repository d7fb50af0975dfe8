using System.Globalization;
using System.Text.RegularExpressions;

namespace GatewayPeers;

/// <summary>What one wrk run reports: throughput, the latency distribution in milliseconds and failed requests.</summary>
internal sealed partial record WrkResult(double RequestsPerSecond, double P50, double P75, double P90, double P99, double Max, long Requests, long Errors)
{
    public static WrkResult Parse(string output)
    {
        var percentiles = LatencyLine().Matches(output).ToDictionary(m => m.Groups["p"].Value, m => Milliseconds(m.Groups["value"].Value, m.Groups["unit"].Value));
        var latency = ThreadLatency().Match(output);
        var requests = RequestCount().Match(output);
        var rps = Throughput().Match(output);
        if (!rps.Success || !requests.Success || percentiles.Count < 4 || !latency.Success)
        {
            throw new InvalidOperationException("Unexpected wrk output:\n" + output);
        }

        long errors = 0;
        foreach (Match match in ErrorCounts().Matches(output))
        {
            errors += long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        }

        var non2xx = Non2xx().Match(output);
        if (non2xx.Success)
        {
            errors += long.Parse(non2xx.Groups["n"].Value, CultureInfo.InvariantCulture);
        }

        return new WrkResult(
            double.Parse(rps.Groups["value"].Value, CultureInfo.InvariantCulture),
            percentiles["50"], percentiles["75"], percentiles["90"], percentiles["99"],
            Milliseconds(latency.Groups["max"].Value, latency.Groups["unit"].Value),
            long.Parse(requests.Groups["n"].Value, CultureInfo.InvariantCulture),
            errors);
    }

    private static double Milliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            _ => throw new InvalidOperationException($"Unknown wrk time unit '{unit}'."),
        };
    }

    [GeneratedRegex(@"^\s+(?<p>50|75|90|99)%\s+(?<value>[\d.]+)(?<unit>us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"^\s+Latency\s+\S+\s+\S+\s+(?<max>[\d.]+)(?<unit>us|ms|s|m)", RegexOptions.Multiline)]
    private static partial Regex ThreadLatency();

    [GeneratedRegex(@"^\s+(?<n>\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"^Requests/sec:\s+(?<value>[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex Throughput();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (?<n>\d+)")]
    private static partial Regex ErrorCounts();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<n>\d+)")]
    private static partial Regex Non2xx();
}
