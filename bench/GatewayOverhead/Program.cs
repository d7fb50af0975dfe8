using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TestInfrastructure;

// Starts a fake OpenAI upstream here and the built Gateway as its own processes, then sends the same requests
// directly and through each gateway, at concurrency 1 and 64, non-streaming and streaming, and prints the latency
// percentiles, the gateway's own x-gateway-overhead-ms and each gateway's peak RSS. Three gateways run side by side,
// measured in turn for every row so that a busy machine weighs on them alike:
//   master key      – no governance check has anything to charge (the first slice's setup);
//   key, in-process – a virtual key with a budget, rpm, tpm and parallel limits, counters in this process;
//   key, Redis      – the same key, counters, spend buffer and invalidations in a local Redis.
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var repository = FindRepository();
var gatewayDll = Path.Combine(repository, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
if (!File.Exists(gatewayDll))
{
    await Console.Error.WriteLineAsync($"{gatewayDll} is missing: run 'dotnet build Gateway -c Release' first (bench/run-gateway-overhead.sh does).");
    return 1;
}

await using var upstream = await FakeOpenAiUpstream.StartAsync();
await using var redis = new RedisServer();
await redis.InitializeAsync();
const string MasterKey = "sk-bench-master-key";
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });

var gateways = new List<Gateway>();
try
{
    gateways.Add(await StartGatewayAsync("master key", redisConnection: null, governed: false));
    gateways.Add(await StartGatewayAsync("key, in-process", redisConnection: null, governed: true));
    gateways.Add(await StartGatewayAsync("key, Redis", redis.ConnectionString, governed: true));
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    return 1;
}

var direct = new Uri(upstream.ApiBase + "/chat/completions");
Console.WriteLine($"{Environment.ProcessorCount} cores, load average {await LoadAverageAsync()} at start; {requests} requests per run after {requests / 10} warm-up requests; latencies in ms");
Console.WriteLine("| gateway | stream | concurrency | direct p50 | gateway p50 | gateway p99 | added p50 | added p99 | x-gateway-overhead-ms p50 | p99 |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
foreach (var stream in new[] { false, true })
{
    foreach (var concurrency in new[] { 1, 64 })
    {
        await RunAsync(direct, null, stream, concurrency, requests / 10);
        foreach (var gateway in gateways)
        {
            await RunAsync(gateway.Endpoint, gateway.Key, stream, concurrency, requests / 10);
        }

        var (directTimes, _) = await RunAsync(direct, null, stream, concurrency, requests);
        foreach (var gateway in gateways)
        {
            var (times, overheads) = await RunAsync(gateway.Endpoint, gateway.Key, stream, concurrency, requests);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {gateway.Name} | {(stream ? "yes" : "no")} | {concurrency} | {P(directTimes, 50):0.00} | {P(times, 50):0.00} | {P(times, 99):0.00} | {P(times, 50) - P(directTimes, 50):0.00} | {P(times, 99) - P(directTimes, 99):0.00} | {P(overheads, 50):0.000} | {P(overheads, 99):0.000} |"));
        }
    }
}

foreach (var gateway in gateways)
{
    var status = await File.ReadAllLinesAsync($"/proc/{gateway.Process.Id}/status");
    Console.WriteLine($"{gateway.Name}: peak RSS {status.Single(l => l.StartsWith("VmHWM", StringComparison.Ordinal)).Split(':')[1].Trim()}");
    await gateway.DisposeAsync();
}

Console.WriteLine($"load average {await LoadAverageAsync()} at the end");
return 0;

async Task<Gateway> StartGatewayAsync(string name, string? redisConnection, bool governed)
{
    var data = new TemporaryDirectory("gateway-bench-");
    var config = data.Combine("config.yaml");
    // Prices make the budget's reservation and settlement real work; the limits are far above what the run reaches.
    await File.WriteAllTextAsync(config, $"""
        model_list:
          - model_name: bench
            litellm_params: {"{"}model: openai/bench, api_base: "{upstream.ApiBase}", api_key: sk-upstream{"}"}
            model_info: {"{"}input_cost_per_token: 0.000001, output_cost_per_token: 0.000002{"}"}
        """);
    var port = FreeTcpPort.Next();
    var environment = new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = MasterKey, ["ASPNETCORE_ENVIRONMENT"] = "Production" };
    if (redisConnection is not null)
    {
        environment["ConnectionStrings__redis"] = redisConnection;
    }

    var process = ExternalProcess.Start("dotnet",
        [gatewayDll, "--config", config, "--urls", $"http://127.0.0.1:{port}", "--Storage:DataDirectory", data.Path, "--Logging:LogLevel:Default", "Warning"],
        environment);
    var deadline = DateTime.UtcNow.AddSeconds(120);
    while (!await FreeTcpPort.AcceptsConnectionsAsync(port))
    {
        if (process.HasExited || DateTime.UtcNow > deadline)
        {
            throw new InvalidOperationException($"The gateway '{name}' did not start:\n" + process.Output);
        }

        await Task.Delay(100);
    }

    var baseAddress = new Uri($"http://127.0.0.1:{port}");
    var key = MasterKey;
    if (governed)
    {
        using var generate = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "/key/generate"))
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["max_budget"] = 1_000_000, ["budget_duration"] = "30d", ["rpm_limit"] = 1_000_000, ["tpm_limit"] = 1_000_000_000,
                ["max_parallel_requests"] = 100_000, ["models"] = new JsonArray("bench"),
            }),
        };
        generate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        using var response = await client.SendAsync(generate);
        response.EnsureSuccessStatusCode();
        key = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
    }

    return new Gateway(name, process, data, new Uri(baseAddress, "/v1/chat/completions"), key);
}

async Task<(List<double> Times, List<double> Overheads)> RunAsync(Uri target, string? key, bool stream, int concurrency, int count)
{
    var body = $$"""{"model":"bench","stream":{{(stream ? "true" : "false")}},"max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";
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
            await response.Content.CopyToAsync(Stream.Null);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            var overhead = response.Headers.TryGetValues("x-gateway-overhead-ms", out var values) ? double.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
            lock (gate)
            {
                times.Add(elapsed);
                overheads.Add(overhead);
            }
        }
    }));
    return (times, overheads);
}

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

/// <summary>One gateway process of the run, with the key its calls carry.</summary>
internal sealed record Gateway(string Name, ExternalProcess Process, TemporaryDirectory Data, Uri Endpoint, string Key) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Data.Dispose();
    }
}
