using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TestInfrastructure;

// Starts the fake OpenAI upstream (bench/FakeLlmUpstream) and the built Gateway as their own processes, then sends the same requests
// directly and through each gateway, at concurrency 1 and 64, non-streaming and streaming, and prints the latency
// percentiles (whole answer and first byte), the gateway's own x-gateway-overhead-ms, each gateway's RSS while
// its runs are under load, and the CPU time per call of the gateway and (for gateways that use it) of Redis — the
// figures a busy machine disturbs least. Every gateway runs as in production: master key, a deployment rpm limit (counted on every
// call), and traces exported to a Langfuse ingestion endpoint (the fake accepts them). Three gateways run side by
// side, measured in alternating blocks for every row so that a busy machine weighs on all of them alike:
//   master key      – no governance check has anything to charge;
//   key, in-process – a virtual key with a budget, rpm, tpm and parallel limits, counters in this process;
//   key, Redis      – the same key, counters, spend buffer and invalidations in a local Redis.
// Then concurrency 64 again (or as --slow-concurrency C,… says) against an upstream that waits before answering
// (--upstream-latency-ms L, default 100; 0 leaves those rows out), as an LLM does: 64 calls in flight then offer a load the machine can carry, so the added
// latency is the gateway's and not the queue of a saturated machine, as it is against an upstream that answers at once.
// Its waits spread evenly from L/2 to 3L/2 in a fixed order (bench/FakeLlmUpstream), so the 64 clients do not stay
// in step (with one constant wait all 64 calls reach the gateway together every L ms and queue behind each other),
// while every hundred calls wait the same in total: with requests a multiple of 1,000, each block of the direct and
// the gateway runs sees the same latencies.
// nginx, as a plain reverse proxy in front of the same upstreams, gets rows of its own (bench/lib/NginxProxy.cs): the
// latency any proxy hop adds on this machine, what no proxy avoids here (such as waking a process and a core for each
// hop), to read the gateway's against.
// Each further argument, "label=NAME=value;NAME=value", adds a "key, Redis" gateway started with those environment
// variables (runtime settings such as DOTNET_gcServer=0), measured in the same alternating blocks; GATEWAY_DLL=path
// among them starts that build instead (an older commit built elsewhere, for a before/after in one run).
// For the slow upstream's rows, tcpdump captures the loopback traffic of the proxies and that upstream
// (bench/lib/LoopbackCapture.cs), and each proxy's row gets the time its calls spent inside it, from the kernel's
// timestamps of the segments in and out (bench/lib/ProxyResidence.cs): what a proxy adds where its callers and its
// upstream run on other machines, which the latency added as the caller sees it here does not tell apart from the
// caller's and the upstream's waits for the two cores the proxy shares with them.
var latencyOption = Array.IndexOf(args, "--upstream-latency-ms");
var upstreamLatencyMs = latencyOption >= 0 ? int.Parse(args[latencyOption + 1], CultureInfo.InvariantCulture) : 100;
var slowConcurrencyOption = Array.IndexOf(args, "--slow-concurrency");
var slowConcurrencies = slowConcurrencyOption >= 0 ? args[slowConcurrencyOption + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() : [64];
var optionArguments = new[] { latencyOption, slowConcurrencyOption }.Where(i => i >= 0).SelectMany(i => new[] { i, i + 1 }).ToHashSet();
var positional = args.Where((_, i) => !optionArguments.Contains(i)).ToArray();
var lastCallId = 0L;
var requests = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 2000;
const int Blocks = 10;
var repository = FindRepository();
var gatewayDll = Path.Combine(repository, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
if (!File.Exists(gatewayDll))
{
    await Console.Error.WriteLineAsync($"{gatewayDll} is missing: run 'dotnet build Gateway -c Release' first (bench/run-gateway-overhead.sh does).");
    return 1;
}

// The upstream runs in its own process and neither records nor parses what it is sent: a recording fake here kept
// every request and parsed every trace batch in the measuring process: work charged to the gateway rows alone (only
// they send traces) that is not the gateway's.
var upstreamPort = FreeTcpPort.Next();
await using var upstream = await FakeLlmUpstreamProcess.StartAsync(repository, upstreamPort);
var upstreamBase = new Uri($"http://127.0.0.1:{upstreamPort}/");
var slowUpstreamPort = FreeTcpPort.Next();
await using var slowUpstream = upstreamLatencyMs > 0 ? await FakeLlmUpstreamProcess.StartAsync(repository, slowUpstreamPort, upstreamLatencyMs / 2, upstreamLatencyMs) : null;
var slowUpstreamBase = new Uri($"http://127.0.0.1:{slowUpstreamPort}/");
await using var redis = new RedisServer();
await redis.InitializeAsync();
var redisProcess = redis.ProcessId;
const string MasterKey = "sk-bench-master-key";
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });

var gateways = new List<Gateway>();
try
{
    gateways.Add(await StartGatewayAsync("master key", redisConnection: null, governed: false));
    gateways.Add(await StartGatewayAsync("key, in-process", redisConnection: null, governed: true));
    gateways.Add(await StartGatewayAsync("key, Redis", redis.ConnectionString, governed: true));
    foreach (var variant in positional.Skip(1))
    {
        var (label, settings) = (variant.Split('=', 2)[0], variant.Split('=', 2)[1]);
        var environment = settings.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]);
        gateways.Add(await StartGatewayAsync($"key, Redis, {label}", redis.ConnectionString, governed: true, environment));
    }

    var nginxScratch = new TemporaryDirectory("nginx-bench-");
    var (nginx, nginxPorts) = await NginxProxy.StartAsync(nginxScratch.Path, (upstreamLatencyMs > 0 ? [upstreamBase, slowUpstreamBase] : new[] { upstreamBase }).Select(u => u.Authority).ToArray());
    var nginxEndpoints = nginxPorts.Select(p => new Uri($"http://127.0.0.1:{p}/v1/chat/completions")).ToArray();
    gateways.Add(new Gateway("nginx (reference)", nginx, nginxScratch, nginxEndpoints[0], null, UsesRedis: false, nginxEndpoints.ElementAtOrDefault(1)));
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    return 1;
}

var kinds = new List<RunKind>();
foreach (var stream in new[] { false, true })
{
    kinds.Add(new RunKind(stream, 1, "bench", new Uri(upstreamBase, "v1/chat/completions")));
    kinds.Add(new RunKind(stream, 64, "bench", new Uri(upstreamBase, "v1/chat/completions")));
}

if (upstreamLatencyMs > 0)
{
    foreach (var stream in new[] { false, true })
    {
        kinds.AddRange(slowConcurrencies.Select(c => new RunKind(stream, c, "bench-slow", new Uri(slowUpstreamBase, "v1/chat/completions"), upstreamLatencyMs)));
    }
}

Console.WriteLine($"{Environment.ProcessorCount} cores, load average {await LoadAverageAsync()} at start; {requests} requests per run after a warm-up of {requests / 2} requests of every kind of run and {requests / 10} before each row; latencies in ms; \"C, upstream {upstreamLatencyMs / 2}–{upstreamLatencyMs * 3 / 2} ms\": C calls in flight to an upstream that answers after that many ms, spread evenly");
Console.WriteLine("| gateway | stream | concurrency | direct p50 | direct p99 | gateway p50 | gateway p99 | added p50 | added p99 | added first byte p50 | p99 | inside the proxy p50 | p99 | x-gateway-overhead-ms p50 | p99 | gateway RSS under load | gateway CPU per call | Redis CPU per call | gateway calls/s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
// Every target serves every kind of run before any row is measured: the gateway's JIT tiers up its hot paths in
// the first few thousand calls, and without this the first row measured (non-streaming, concurrency 1) would carry
// that compilation, which a long-running gateway has long finished.
foreach (var kind in kinds)
{
    await WarmUpAsync(kind, requests / 2);
}

foreach (var kind in kinds)
{
    await WarmUpAsync(kind, requests / 10);

    // Alternating blocks, so a burst of load on the shared machine falls on every side alike. Each block starts with
    // one unmeasured round of calls: a gateway sits idle while the others run their blocks, its counter leases end
    // meanwhile (250 ms), and without it every block would begin with a cold burst, which steady load does not have.
    var directRun = Run.Empty;
    var gatewayRuns = gateways.Select(_ => Run.Empty).ToArray();
    await using var capture = kind.UpstreamLatencyMs > 0
        ? await LoopbackCapture.StartAsync(Path.Combine(Path.GetTempPath(), $"gateway-overhead-{Environment.ProcessId}.pcap"), [kind.Direct.Port, .. gateways.Select(g => g.EndpointFor(kind).Port)])
        : null;
    for (var block = 0; block < Blocks; block++)
    {
        await RunAsync(kind, kind.Direct, null, null, null, kind.Concurrency);
        directRun = directRun.Add(await RunAsync(kind, kind.Direct, null, null, null, requests / Blocks));
        for (var i = 0; i < gateways.Count; i++)
        {
            await RunGatewayAsync(gateways[i], kind, kind.Concurrency);
            gatewayRuns[i] = gatewayRuns[i].Add(await RunGatewayAsync(gateways[i], kind, requests / Blocks));
        }
    }

    var (segments, dropped) = capture is null ? (null, 0) : await capture.StopAsync();
    if (dropped > 0)
    {
        // Calls with a dropped segment are left out of "inside the proxy"; the cell says how many were found.
        await Console.Error.WriteLineAsync($"The capture of row '{kind.Label}' lost {dropped} packets.");
    }

    var residences = segments is null ? null : ProxyResidence.Of(segments, gateways.Select(g => g.EndpointFor(kind).Port), kind.Direct.Port);
    for (var i = 0; i < gateways.Count; i++)
    {
        var run = gatewayRuns[i];
        var inside = residences is null ? "– | –" : Inside(residences[gateways[i].EndpointFor(kind).Port], run.CallIds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {gateways[i].Name} | {(kind.Stream ? "yes" : "no")} | {kind.Label} | {P(directRun.Times, 50):0.00} | {P(directRun.Times, 99):0.00} | {P(run.Times, 50):0.00} | {P(run.Times, 99):0.00} | {P(run.Times, 50) - P(directRun.Times, 50):0.00} | {P(run.Times, 99) - P(directRun.Times, 99):0.00} | {P(run.FirstBytes, 50) - P(directRun.FirstBytes, 50):0.00} | {P(run.FirstBytes, 99) - P(directRun.FirstBytes, 99):0.00} | {inside} | {Overhead(gateways[i], run, 50)} | {Overhead(gateways[i], run, 99)} | {run.PeakRssMb} MB | {run.CpuMs * 1000 / run.Times.Count:0} µs | {(gateways[i].UsesRedis ? $"{run.RedisCpuMs * 1000 / run.Times.Count:0} µs" : "–")} | {run.Times.Count / run.WallSeconds:0} |"));
    }
}

foreach (var gateway in gateways)
{
    var status = await File.ReadAllLinesAsync($"/proc/{gateway.Process.Id}/status");
    Console.WriteLine($"{gateway.Name}: peak RSS over the whole run {status.Single(l => l.StartsWith("VmHWM", StringComparison.Ordinal)).Split(':')[1].Trim()}");
    await gateway.DisposeAsync();
}

Console.WriteLine($"load average {await LoadAverageAsync()} at the end");
return 0;

async Task WarmUpAsync(RunKind kind, int count)
{
    await RunAsync(kind, kind.Direct, null, null, null, count);
    foreach (var gateway in gateways)
    {
        await RunGatewayAsync(gateway, kind, count);
    }
}

Task<Run> RunGatewayAsync(Gateway gateway, RunKind kind, int count) =>
    RunAsync(kind, gateway.EndpointFor(kind), gateway.Key, gateway.Process, gateway.UsesRedis ? redisProcess : null, count);

async Task<Gateway> StartGatewayAsync(string name, string? redisConnection, bool governed, Dictionary<string, string?>? settings = null)
{
    var data = new TemporaryDirectory("gateway-bench-");
    var config = data.Combine("config.yaml");
    // Prices make the budget's reservation and settlement real work; the limits are far above what the run reaches.
    await File.WriteAllTextAsync(config, $"""
        model_list:
          - model_name: bench
            litellm_params: {"{"}model: openai/bench, api_base: "{upstreamBase}v1", api_key: sk-upstream, rpm: 100000000{"}"}
            model_info: {"{"}input_cost_per_token: 0.000001, output_cost_per_token: 0.000002{"}"}
          - model_name: bench-slow
            litellm_params: {"{"}model: openai/bench, api_base: "{slowUpstreamBase}v1", api_key: sk-upstream, rpm: 100000000{"}"}
            model_info: {"{"}input_cost_per_token: 0.000001, output_cost_per_token: 0.000002{"}"}
        """);
    var port = FreeTcpPort.Next();
    var environment = new Dictionary<string, string?>
    {
        ["LITELLM_MASTER_KEY"] = MasterKey,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["LANGFUSE_HOST"] = upstreamBase.ToString(),
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-bench",
        ["LANGFUSE_SECRET_KEY"] = "sk-lf-bench",
    };
    if (redisConnection is not null)
    {
        environment["ConnectionStrings__redis"] = redisConnection;
    }

    var dll = settings is not null && settings.Remove("GATEWAY_DLL", out var other) && other is not null ? other : gatewayDll;
    foreach (var (setting, value) in settings ?? [])
    {
        environment[setting] = value;
    }

    var process = ExternalProcess.Start("dotnet",
        [dll, "--config", config, "--urls", $"http://127.0.0.1:{port}", "--Storage:DataDirectory", data.Path, "--Logging:LogLevel:Default", "Warning"],
        environment);
    await ListeningProcess.WaitAsync(process, port, $"gateway '{name}'");

    var baseAddress = new Uri($"http://127.0.0.1:{port}");
    var key = MasterKey;
    if (governed)
    {
        key = await GovernedBenchKey.GenerateAsync(client, baseAddress, MasterKey, "bench", "bench-slow");
    }

    return new Gateway(name, process, data, new Uri(baseAddress, "/v1/chat/completions"), key, redisConnection is not null);
}

async Task<Run> RunAsync(RunKind kind, Uri target, string? key, ExternalProcess? sampled, int? redisPid, int count)
{
    var (stream, concurrency) = (kind.Stream, kind.Concurrency);
    var cpuBefore = sampled is null ? 0 : CpuMilliseconds(sampled.Id);
    var redisCpuBefore = redisPid is { } before ? CpuMilliseconds(before) : 0;
    using var sampling = new CancellationTokenSource();
    var peakRss = 0L;
    var sampler = sampled is null ? Task.CompletedTask : Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakRss = Math.Max(peakRss, ResidentMegabytes(sampled.Id));
            await Task.Delay(50, CancellationToken.None);
        }
    });
    var times = new List<double>(count);
    var firstBytes = new List<double>(count);
    var overheads = new List<double>(count);
    var callIds = new List<long>(count);
    var next = 0;
    var gate = new object();
    var runStarted = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            // Each call's marker lets a loopback capture find it on both sides of a proxy (bench/lib/ProxyResidence.cs).
            var callId = Interlocked.Increment(ref lastCallId);
            var body = string.Create(CultureInfo.InvariantCulture,
                $$"""{"model":"{{kind.Model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":64,"messages":[{"role":"user","content":"{{ProxyResidence.Marker}}{{callId:D10}} Say hello in one short sentence."}]}""");
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
                callIds.Add(callId);
            }
        }
    }));
    var wallSeconds = Stopwatch.GetElapsedTime(runStarted).TotalSeconds;
    await sampling.CancelAsync();
    await sampler;
    var cpu = sampled is null ? 0 : CpuMilliseconds(sampled.Id) - cpuBefore;
    var redisCpu = redisPid is { } after ? CpuMilliseconds(after) - redisCpuBefore : 0;
    return new Run(times, firstBytes, overheads, callIds, peakRss, cpu, redisCpu, wallSeconds);
}

// The measured calls' time inside the proxy, with how many of them the capture held whole when some are missing.
static string Inside(Dictionary<long, double> residence, List<long> callIds)
{
    var found = callIds.Where(residence.ContainsKey).Select(id => residence[id]).ToList();
    if (found.Count == 0)
    {
        return "– | –";
    }

    var share = found.Count == callIds.Count ? "" : string.Create(CultureInfo.InvariantCulture, $" ({found.Count} of {callIds.Count})");
    return string.Create(CultureInfo.InvariantCulture, $"{P(found, 50):0.000} | {P(found, 99):0.000}{share}");
}

// Only the gateway answers with its own measure of its overhead.
static string Overhead(Gateway gateway, Run run, int percentile) =>
    gateway.Key is null ? "–" : P(run.Overheads, percentile).ToString("0.000", CultureInfo.InvariantCulture);

static long ResidentMegabytes(int processId) => ProcessMemory.ResidentBytes([processId]) / (1024 * 1024);

static double CpuMilliseconds(int processId) => ProcessCpu.Seconds([processId]) * 1000;

static async Task<string> LoadAverageAsync() => (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0];

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

/// <param name="CpuMs">The gateway's CPU time over the run; <paramref name="RedisCpuMs"/> Redis's, for a gateway that uses it.</param>
/// <param name="WallSeconds">How long the run's calls took from the first sent to the last answered.</param>
internal sealed record Run(List<double> Times, List<double> FirstBytes, List<double> Overheads, List<long> CallIds, long PeakRssMb, double CpuMs, double RedisCpuMs, double WallSeconds)
{
    public static Run Empty => new([], [], [], [], 0, 0, 0, 0);

    public Run Add(Run other) => new([.. Times, .. other.Times], [.. FirstBytes, .. other.FirstBytes], [.. Overheads, .. other.Overheads], [.. CallIds, .. other.CallIds],
        Math.Max(PeakRssMb, other.PeakRssMb), CpuMs + other.CpuMs, RedisCpuMs + other.RedisCpuMs, WallSeconds + other.WallSeconds);
}

/// <summary>One kind of row: streaming or not, the calls in flight, and the upstream (and its model) they go to.</summary>
/// <param name="UpstreamLatencyMs">How long that upstream waits before answering, on average (from half to one and a half times this).</param>
internal sealed record RunKind(bool Stream, int Concurrency, string Model, Uri Direct, int UpstreamLatencyMs = 0)
{
    public string Label => UpstreamLatencyMs > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Concurrency}, upstream {UpstreamLatencyMs / 2}–{UpstreamLatencyMs * 3 / 2} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{Concurrency}");
}

/// <summary>One gateway process of the run (or the nginx reference, which takes no key and has a port per upstream), with the key its calls carry.</summary>
internal sealed record Gateway(string Name, ExternalProcess Process, TemporaryDirectory Data, Uri Endpoint, string? Key, bool UsesRedis, Uri? SlowEndpoint = null) : IAsyncDisposable
{
    public Uri EndpointFor(RunKind kind) => kind.UpstreamLatencyMs > 0 && SlowEndpoint is { } slow ? slow : Endpoint;

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Data.Dispose();
    }
}
