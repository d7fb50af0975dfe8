// Drives TraceIngest (API and worker in one process) with Langfuse batches or OTLP/JSON spans over real HTTP and
// reports:
//   accepted events/s (each 2xx means the request is in the blob store and queued),
//   written rows/s (from the first request until the last row is queryable),
//   ingestion-to-queryable lag p50/p95 (sampled requests, polled in ClickHouse until visible),
//   the worker's time by stage (with --rates per step, per 1,000 events, with the process's CPU by thread name and
//   the tables' active parts at each step's end, so a long run shows what grows with the store).
// Stores: embedded (chDB, local blob directory, in-process queue) by default; --distributed uses PostgreSQL, Redis,
// an S3 server and a ClickHouse HTTP interface, started here from the machine's binaries as the tests start them.
// With --rates r1,r2,… it offers those event rates open loop instead of running closed-loop clients, seconds per
// rate, and writes a Markdown table to --output (FixedRateLadder).
// Usage: IngestionThroughput [seconds=10] [concurrency=8] [eventsPerBatch=100] [--distributed] [--otlp]
//        [--rates events/s,… [--output file.md]]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Storage.TraceStore;
using TraceIngest.Extensions;
using TraceIngest.Worker;

string? OptionValue(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
var rates = OptionValue("--rates")?.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
var rateOutput = OptionValue("--output") ?? Path.Combine("docs", "benchmarks", "ingestion-rate-sweep.md");
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--rates" or "--output"))).ToArray();
var seconds = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 10;
var concurrency = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 8;
var eventsPerBatch = positional.Length > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 100;
var distributed = args.Contains("--distributed");
var payloads = new IngestionPayloads(eventsPerBatch, otlp: args.Contains("--otlp"));
var data = Directory.CreateTempSubdirectory("ingestion-bench-");
await using var backends = new DistributedBackends();

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Storage:DataDirectory"] = data.FullName,
    ["LANGFUSE_INIT_ORG_ID"] = "bench",
    ["LANGFUSE_INIT_PROJECT_ID"] = "bench",
    ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = "pk-lf-bench",
    ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = "sk-lf-bench-0123456789",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Ingestion:Worker:ReceiveWait"] = "00:00:00.050",
});
if (distributed)
{
    builder.Configuration.AddInMemoryCollection(await backends.StartAsync());
}

builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.AddServiceDefaults();
builder.AddTraceIngest();
var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTraceIngestApi();
await app.StartAsync();
var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
var store = app.Services.GetRequiredService<ClickHouseTraceStore>();

using var http = new HttpClient { BaseAddress = baseAddress };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("pk-lf-bench:sk-lf-bench-0123456789")));

async Task<long> CountAsync(string sql) => Convert.ToInt64(await store.Client.ExecuteScalarAsync(sql), CultureInfo.InvariantCulture);

using var stageTimes = new WorkerStageTimes();
var loadDescription = $"{eventsPerBatch} {(payloads.Path.Contains("otel", StringComparison.Ordinal) ? "OTLP spans" : "Langfuse events")} per request, {(distributed ? "distributed stores" : "embedded stores")}";
if (rates is not null)
{
    var ratesStarted = DateTimeOffset.UtcNow;
    var loadBefore = LoadAverage();
    var steps = await new FixedRateLadder(http, payloads, eventsPerBatch, CountAsync, TimeSpan.FromSeconds(seconds), stageTimes).RunAsync(rates);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(rateOutput))!);
    await File.WriteAllTextAsync(rateOutput, FixedRateReport.Markdown(steps, loadDescription, seconds, ratesStarted, loadBefore, LoadAverage()));
    Console.WriteLine($"Wrote {rateOutput}");
    await app.StopAsync();
    return;
}

var accepted = 0L;
var failures = 0L;
// CPU time by process over the run: this one alone (the servers are its children), the servers of --distributed each
// with their children (PostgreSQL's backends).
var processes = new List<(string Name, Func<double> CpuSeconds)> { ("this process (API, worker and the load generator)", () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds) };
processes.AddRange((distributed ? backends.Processes() : []).Select(p => (p.Name, (Func<double>)(() => ProcessCpu.Seconds([p.ProcessId])))));
var cpuAtStart = processes.Select(p => p.CpuSeconds()).ToArray();
// Bytes the process allocated (managed heap, every thread): unlike CPU time, hardly moved by the machine's other load.
var allocatedAtStart = GC.GetTotalAllocatedBytes();
var started = Stopwatch.StartNew();
var probe = new LagProbe(CountAsync, started);
var deadline = TimeSpan.FromSeconds(seconds);

var clients = Enumerable.Range(0, concurrency).Select(client => Task.Run(async () =>
{
    for (var sequence = 0; started.Elapsed < deadline; sequence++)
    {
        using var content = new StringContent(payloads.Body(client, sequence), Encoding.UTF8, "application/json");
        var sent = started.Elapsed;
        using var response = await http.PostAsync(payloads.Path, content);
        if (response.IsSuccessStatusCode)
        {
            Interlocked.Add(ref accepted, eventsPerBatch);
        }
        else
        {
            Interlocked.Increment(ref failures);
        }

        if (client == 0)
        {
            probe.TryStart(payloads.LastObservationId(client, sequence), sent);
        }
    }
})).ToArray();
await Task.WhenAll(clients);
var acceptPhase = started.Elapsed;
// From here only the worker (and the polling below) runs: its CPU per row, less noisy than wall time on a shared machine.
var cpuAtAcceptEnd = Process.GetCurrentProcess().TotalProcessorTime;
var allocatedAtAcceptEnd = GC.GetTotalAllocatedBytes();
var rowsAtAcceptEnd = await CountAsync("SELECT count() FROM observations") + await CountAsync("SELECT count() FROM traces");

var requests = accepted / eventsPerBatch;
var expectedObservations = requests * payloads.ObservationsPerRequest;
var expectedTraces = requests * (eventsPerBatch / 2);
while (await CountAsync("SELECT count() FROM observations") < expectedObservations)
{
    await Task.Delay(20);
}

var writePhase = started.Elapsed;
var cpuPerEvent = processes.Select((p, i) => (p.Name, Microseconds: (p.CpuSeconds() - cpuAtStart[i]) * 1e6 / Math.Max(accepted, 1))).ToList();
var drainCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtAcceptEnd;
var allocatedAtEnd = GC.GetTotalAllocatedBytes();
var drainedRows = expectedObservations + expectedTraces - rowsAtAcceptEnd;
var sortedLags = await probe.SortedLagsAsync();
double Percentile(double p) => LagProbe.Percentile(sortedLags, p);

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"load: {concurrency} clients, {loadDescription}, {seconds} s");
Console.WriteLine($"accepted: {accepted} events in {acceptPhase.TotalSeconds:F1} s = {accepted / acceptPhase.TotalSeconds:F0} events/s ({failures} failed requests)");
Console.WriteLine($"written: {expectedObservations} observations + {expectedTraces} traces queryable after {writePhase.TotalSeconds:F1} s = {(expectedObservations + expectedTraces) / writePhase.TotalSeconds:F0} rows/s");
Console.WriteLine($"lag (ingestion to queryable, {sortedLags.Length} samples): p50 {Percentile(0.50):F0} ms, p95 {Percentile(0.95):F0} ms, max {sortedLags.LastOrDefault():F0} ms");
Console.WriteLine("worker time by stage (whole run): " + string.Join(", ", stageTimes.Snapshot().OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value.Seconds:F1} s over {s.Value.Rounds} rounds")));
Console.WriteLine(drainedRows <= 0
    ? "worker alone: no backlog when the clients stopped"
    : $"worker alone (after the clients stopped): {drainedRows} rows in {(writePhase - acceptPhase).TotalSeconds:F1} s, process CPU {drainCpu.TotalMicroseconds / drainedRows:F0} µs per row{(distributed ? " (the ClickHouse server's CPU not included)" : "")}, {(allocatedAtEnd - allocatedAtAcceptEnd) / (double)drainedRows:F0} bytes allocated per row");
Console.WriteLine($"managed bytes allocated per accepted event, first request to last row written: {(allocatedAtEnd - allocatedAtStart) / (double)Math.Max(accepted, 1):F0}");
Console.WriteLine($"CPU per accepted event, first request to last row written: {string.Join(", ", cpuPerEvent.Select(c => $"{c.Name} {c.Microseconds:F0} µs"))}; all {cpuPerEvent.Sum(c => c.Microseconds):F0} µs");
Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");

await app.StopAsync();

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
