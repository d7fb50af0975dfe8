using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using TestInfrastructure;

// Starts a fake OpenAI upstream here and the built Gateway as its own process, then sends the same requests
// directly and through the gateway, at concurrency 1 and 64, non-streaming and streaming, and prints the
// latency percentiles of both (whole answer and first byte), the gateway's own x-gateway-overhead-ms and the
// gateway's RSS while each run is under load. The gateway runs as in production: master key, a deployment rpm
// limit (counted on every call), and traces exported to a Langfuse ingestion endpoint (the fake accepts them).
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
const int Blocks = 10;
var repository = FindRepository();
var gatewayDll = Path.Combine(repository, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
if (!File.Exists(gatewayDll))
{
    await Console.Error.WriteLineAsync($"{gatewayDll} is missing: run 'dotnet build Gateway -c Release' first (bench/run-gateway-overhead.sh does).");
    return 1;
}

await using var upstream = await FakeOpenAiUpstream.StartAsync();
using var data = new TemporaryDirectory("gateway-bench-");
const string MasterKey = "sk-bench-master-key";
var config = data.Combine("config.yaml");
await File.WriteAllTextAsync(config, $"""
    model_list:
      - model_name: bench
        litellm_params: {"{"}model: openai/bench, api_base: "{upstream.ApiBase}", api_key: sk-upstream, rpm: 100000000{"}"}
    """);
var port = FreeTcpPort.Next();
await using var gateway = ExternalProcess.Start("dotnet",
    [gatewayDll, "--config", config, "--urls", $"http://127.0.0.1:{port}", "--Storage:DataDirectory", data.Path, "--Logging:LogLevel:Default", "Warning"],
    new Dictionary<string, string?>
    {
        ["LITELLM_MASTER_KEY"] = MasterKey,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["LANGFUSE_HOST"] = upstream.BaseAddress.ToString(),
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-bench",
        ["LANGFUSE_SECRET_KEY"] = "sk-lf-bench",
    });
var deadline = DateTime.UtcNow.AddSeconds(60);
while (!await FreeTcpPort.AcceptsConnectionsAsync(port))
{
    if (gateway.HasExited || DateTime.UtcNow > deadline)
    {
        await Console.Error.WriteLineAsync("The gateway did not start:\n" + gateway.Output);
        return 1;
    }

    await Task.Delay(100);
}

using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
var direct = new Uri(upstream.ApiBase + "/chat/completions");
var through = new Uri($"http://127.0.0.1:{port}/v1/chat/completions");

Console.WriteLine($"{Environment.ProcessorCount} cores, {requests} requests per run after {requests / 10} warm-up requests; latencies in ms");
Console.WriteLine("| stream | concurrency | direct p50 | direct p99 | gateway p50 | gateway p99 | added p50 | added p99 | added first byte p50 | p99 | x-gateway-overhead-ms p50 | p99 | gateway RSS under load |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var stream in new[] { false, true })
{
    foreach (var concurrency in new[] { 1, 64 })
    {
        await RunAsync(direct, stream, concurrency, requests / 10, null);
        await RunAsync(through, stream, concurrency, requests / 10, MasterKey);

        // Ten alternating blocks per side, so a burst of load on the shared machine falls on both sides alike.
        var directRun = Run.Empty;
        var gatewayRun = Run.Empty;
        for (var block = 0; block < Blocks; block++)
        {
            directRun = directRun.Add(await RunAsync(direct, stream, concurrency, requests / Blocks, null));
            gatewayRun = gatewayRun.Add(await RunAsync(through, stream, concurrency, requests / Blocks, MasterKey));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(stream ? "yes" : "no")} | {concurrency} | {P(directRun.Times, 50):0.00} | {P(directRun.Times, 99):0.00} | {P(gatewayRun.Times, 50):0.00} | {P(gatewayRun.Times, 99):0.00} | {P(gatewayRun.Times, 50) - P(directRun.Times, 50):0.00} | {P(gatewayRun.Times, 99) - P(directRun.Times, 99):0.00} | {P(gatewayRun.FirstBytes, 50) - P(directRun.FirstBytes, 50):0.00} | {P(gatewayRun.FirstBytes, 99) - P(directRun.FirstBytes, 99):0.00} | {P(gatewayRun.Overheads, 50):0.000} | {P(gatewayRun.Overheads, 99):0.000} | {gatewayRun.PeakRssMb} MB |"));
    }
}

Console.WriteLine("Gateway peak RSS over the whole run: " + (await File.ReadAllLinesAsync($"/proc/{gateway.Id}/status")).Single(l => l.StartsWith("VmHWM", StringComparison.Ordinal)).Split(':')[1].Trim());
return 0;

async Task<Run> RunAsync(Uri target, bool stream, int concurrency, int count, string? key)
{
    using var sampling = new CancellationTokenSource();
    var peakRss = 0L;
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakRss = Math.Max(peakRss, ResidentMegabytes(gateway.Id));
            await Task.Delay(50, CancellationToken.None);
        }
    });
    var firstBytes = new List<double>(count);
    var body = $$"""{"model":"bench","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";
    var times = new List<double>(count);
    var overheads = new List<double>(count);
    var next = 0;
    var gate = new object();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var answer = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            var read = await answer.ReadAsync(buffer);
            var firstByte = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            while (read > 0)
            {
                read = await answer.ReadAsync(buffer);
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            var overhead = response.Headers.TryGetValues("x-gateway-overhead-ms", out var values) ? double.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
            lock (gate)
            {
                times.Add(elapsed);
                firstBytes.Add(firstByte);
                overheads.Add(overhead);
            }
        }
    }));
    await sampling.CancelAsync();
    await sampler;
    return new Run(times, firstBytes, overheads, peakRss);
}

static long ResidentMegabytes(int processId) =>
    long.Parse(File.ReadAllLines($"/proc/{processId}/status").Single(l => l.StartsWith("VmRSS", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;

static double P(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Platform.sln not found above the benchmark's binaries.");
}

internal sealed record Run(List<double> Times, List<double> FirstBytes, List<double> Overheads, long PeakRssMb)
{
    public static Run Empty => new([], [], [], 0);

    public Run Add(Run other) => new([.. Times, .. other.Times], [.. FirstBytes, .. other.FirstBytes], [.. Overheads, .. other.Overheads], Math.Max(PeakRssMb, other.PeakRssMb));
}
