using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ClickHouse.Driver.Utility;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Storage.TraceStore;
using Storage.TraceStore.Summaries;
using TraceUi.Extensions;

// TraceUi page benchmark, arguments: [traces=1000000] [observationsPerTrace=10] [requests=7] [dataDirectory] [sql]
// With "sql" as the fifth argument it instead times each statement read from stdin (separated by lines holding only
// ";"; lines "-- param name=value" bind parameters), three runs each, on the seeded store: for one page's queries.
// Seeds the embedded trace store once per data directory (kept between runs), then times whole server-side renders
// of TraceUi pages over HTTP on 127.0.0.1, signed in as the admin, after one warm-up request per page.
var traces = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var perTrace = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
var dataDirectory = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), $"traceui-bench-{traces}-{perTrace}");
const string Project = "bench";
const string Email = "bench@example.com";
const string Password = "bench-password-1";
const string WideTrace = "t-wide-1000";
const int WideObservations = 1000;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
builder.Configuration.Sources.Clear();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Storage:DataDirectory"] = dataDirectory,
    ["LANGFUSE_INIT_ORG_ID"] = "bench-org",
    ["LANGFUSE_INIT_PROJECT_ID"] = Project,
    ["LANGFUSE_INIT_PROJECT_NAME"] = "Benchmark",
    ["LANGFUSE_INIT_USER_EMAIL"] = Email,
    ["LANGFUSE_INIT_USER_PASSWORD"] = Password,
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.AddServiceDefaults();
builder.AddTraceUi();
var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTraceUi();
await app.StartAsync();

var store = app.Services.GetRequiredService<ClickHouseTraceStore>();
if (args.Length > 4 && args[4] == "sql")
{
    var statements = (await Console.In.ReadToEndAsync()).Split("\n;\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    foreach (var statement in statements)
    {
        var runs = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            // Lines "-- param name=value" pass server-side parameters, as the pages' queries do.
            var parameters = new ClickHouse.Driver.ADO.Parameters.ClickHouseParameterCollection();
            foreach (var line in statement.Split('\n').Where(l => l.StartsWith("-- param ", StringComparison.Ordinal)))
            {
                var (name, value) = (line[9..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                parameters.AddParameter(name, value.StartsWith('[')
                    ? System.Text.Json.JsonSerializer.Deserialize<string[]>(value.Replace('\'', '"'))!
                    : DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : value);
            }

            using var reader = await store.Client.ExecuteReaderAsync(statement, parameters);
            while (await reader.ReadAsync())
            {
            }

            runs.Add(clock.Elapsed.TotalMilliseconds);
        }

        await Console.Out.WriteLineAsync($"{string.Join(" / ", runs.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} ms  {statement.ReplaceLineEndings(" ")[..Math.Min(160, statement.Length)]}");
    }

    await app.StopAsync();
    return;
}

if (await TraceSeed.CountAsync(store, "traces", Project) < traces)
{
    await Console.Error.WriteLineAsync($"Seeding {traces:N0} traces with {perTrace} observations each into {dataDirectory}");
    var seeding = Stopwatch.StartNew();
    await TraceSeed.SeedAsync(store, Project, traces, perTrace, days: 7);
    // Background merges would get here on their own; a benchmark should not depend on when they run.
    await store.Client.ExecuteNonQueryAsync("OPTIMIZE TABLE traces FINAL");
    await store.Client.ExecuteNonQueryAsync("OPTIMIZE TABLE observations FINAL");
    await store.Client.ExecuteNonQueryAsync("OPTIMIZE TABLE generations FINAL");
    // The worker keeps summaries current on ingestion; rows written straight into the tables need one recompute.
    await app.Services.GetRequiredService<TraceSummaryWriter>().RecomputeProjectAsync(Project, CancellationToken.None);
    await store.Client.ExecuteNonQueryAsync("OPTIMIZE TABLE trace_summaries FINAL");
    await Console.Error.WriteLineAsync($"Seeded and merged in {seeding.Elapsed.TotalSeconds:0} s");
}

if (await TraceSeed.CountAsync(store, "observations", Project, WideTrace) < WideObservations)
{
    await TraceSeed.SeedWideTraceAsync(store, Project, WideTrace, WideObservations);
    await app.Services.GetRequiredService<TraceSummaryWriter>().RecomputeAsync(Project, [WideTrace], CancellationToken.None);
}

await Console.Out.WriteLineAsync($"traces: {await TraceSeed.CountAsync(store, "traces", Project):N0}, observations: {await TraceSeed.CountAsync(store, "observations", Project):N0}");

var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
var signInPage = await client.GetStringAsync("/sign-in");
var token = Regex.Match(signInPage, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
using var signIn = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
{
    ["__RequestVerificationToken"] = token, ["Email"] = Email, ["Password"] = Password, ["ReturnUrl"] = "/",
}));
if (signIn.StatusCode != HttpStatusCode.Redirect || signIn.Headers.Location?.OriginalString != "/")
{
    throw new InvalidOperationException($"sign-in failed: {signIn.StatusCode} {signIn.Headers.Location}");
}

string[] pages =
[
    $"/project/{Project}/traces",
    $"/project/{Project}/traces?range=7d",
    $"/project/{Project}/traces?range=30d",
    $"/project/{Project}/traces?range=7d&name=checkout&user=user-42",
    $"/project/{Project}/traces?sort=cost",
    $"/project/{Project}/dashboard",
    $"/project/{Project}/dashboard?range=7d",
    $"/project/{Project}/traces/t-123456",
    $"/project/{Project}/traces/{WideTrace}",
    $"/project/{Project}/traces/{WideTrace}?observation={WideTrace}-501",
    $"/project/{Project}/sessions",
    $"/project/{Project}/users",
];
// CPU ms: this process's CPU time per request (server, chDB and client share the process), the median. Unlike the
// wall time it barely moves with the load others put on a shared machine; on 2 cores a page takes at least half of it.
await Console.Out.WriteLineAsync($"| page | requests | p50 ms | p95 ms | min ms | max ms | CPU ms p50 | bytes |");
await Console.Out.WriteLineAsync($"|---|---|---|---|---|---|---|---|");
foreach (var path in pages)
{
    var times = new List<double>();
    var cpu = new List<double>();
    long bytes = 0;
    for (var i = 0; i <= requests; i++)
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        clock.Stop();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path}: {response.StatusCode}");
        }

        bytes = body.Length;
        if (i > 0)
        {
            times.Add(clock.Elapsed.TotalMilliseconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
    }

    times.Sort();
    cpu.Sort();
    await Console.Out.WriteLineAsync(
        $"| `{path.Replace($"/project/{Project}", "", StringComparison.Ordinal)}` | {requests} | {times[times.Count / 2]:0} | {NearestRank(times, 0.95):0} | {times[0]:0} | {times[^1]:0} | {cpu[cpu.Count / 2]:0} | {bytes:N0} |");
}

await app.StopAsync();

static double NearestRank(List<double> sorted, double quantile) => sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
