// Drives TraceIngest (embedded: chDB, local blob directory, in-process queue; API and worker in one process)
// with Langfuse batches over real HTTP and reports:
//   accepted events/s (each 207 means the batch is in the blob store and queued),
//   written observations/s (from the first request until the last row is queryable),
//   ingestion-to-queryable lag p50/p95 (sampled batches, polled in ClickHouse until visible).
// Usage: IngestionThroughput [seconds=10] [concurrency=8] [eventsPerBatch=100]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Storage.TraceStore;
using TraceIngest.Extensions;
using TraceIngest.Worker;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var eventsPerBatch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
var data = Directory.CreateTempSubdirectory("ingestion-bench-");

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

// Built as text, not as JSON nodes: the client shares the cores with the service and should cost it little.
string Batch(int client, int sequence)
{
    var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
    var batch = new StringBuilder(eventsPerBatch * 420).Append("""{"batch":[""");
    for (var i = 0; i < eventsPerBatch / 2; i++)
    {
        var traceId = $"t-{client}-{sequence}-{i}";
        batch.Append(i == 0 ? "" : ",")
            .Append($$$"""{"id":"{{{Guid.NewGuid()}}}","timestamp":"{{{now}}}","type":"trace-create","body":{"id":"{{{traceId}}}","name":"bench","userId":"u-{{{i % 10}}}","input":"What is the refund policy for annual plans?"}},""")
            .Append($$$"""{"id":"{{{Guid.NewGuid()}}}","timestamp":"{{{now}}}","type":"generation-create","body":{"id":"g-{{{client}}}-{{{sequence}}}-{{{i}}}","traceId":"{{{traceId}}}","model":"gpt-4o-mini","startTime":"{{{now}}}","endTime":"{{{now}}}","usageDetails":{"input":420,"output":64},"output":"Annual plans can be refunded within 30 days."}}""");
    }

    return batch.Append("]}").ToString();
}

async Task<long> CountAsync(string sql) => Convert.ToInt64(await store.Client.ExecuteScalarAsync(sql), CultureInfo.InvariantCulture);

var accepted = 0L;
var probing = 0;
var stages = new ConcurrentDictionary<string, (double Seconds, long Rounds)>();
using var stageListener = new MeterListener
{
    InstrumentPublished = (instrument, listener) =>
    {
        if (instrument.Meter.Name == IngestionWorkerMetrics.MeterName && instrument.Name == IngestionWorkerMetrics.StageDurationName)
        {
            listener.EnableMeasurementEvents(instrument);
        }
    },
};
stageListener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
{
    var stage = (string)tags[0].Value!;
    stages.AddOrUpdate(stage, (seconds, 1), (_, total) => (total.Seconds + seconds, total.Rounds + 1));
});
stageListener.Start();
var failures = 0L;
var lags = new ConcurrentBag<double>();
var started = Stopwatch.StartNew();
var deadline = TimeSpan.FromSeconds(seconds);

var clients = Enumerable.Range(0, concurrency).Select(client => Task.Run(async () =>
{
    for (var sequence = 0; started.Elapsed < deadline; sequence++)
    {
        using var content = new StringContent(Batch(client, sequence), Encoding.UTF8, "application/json");
        var sent = started.Elapsed;
        using var response = await http.PostAsync("/api/public/ingestion", content);
        if ((int)response.StatusCode == 207)
        {
            Interlocked.Add(ref accepted, eventsPerBatch);
        }
        else
        {
            Interlocked.Increment(ref failures);
        }

        if (client == 0 && Interlocked.CompareExchange(ref probing, 1, 0) == 0)
        {
            // Sampled batch, one at a time so the polling stays a small load on the store: how long until its
            // last generation is queryable.
            var probe = $"g-{client}-{sequence}-{eventsPerBatch / 2 - 1}";
            _ = Task.Run(async () =>
            {
                while (await CountAsync($"SELECT count() FROM observations WHERE id = '{probe}'") == 0)
                {
                    await Task.Delay(25);
                }

                lags.Add((started.Elapsed - sent).TotalMilliseconds);
                Volatile.Write(ref probing, 0);
            });
        }
    }
})).ToArray();
await Task.WhenAll(clients);
var acceptPhase = started.Elapsed;

var expectedObservations = accepted / 2;
while (await CountAsync("SELECT count() FROM observations") < expectedObservations)
{
    await Task.Delay(20);
}

var writePhase = started.Elapsed;
await Task.Delay(500);
var sortedLags = lags.Order().ToArray();
double Percentile(double p) => sortedLags.Length == 0 ? double.NaN : sortedLags[Math.Min(sortedLags.Length - 1, (int)Math.Ceiling(p * sortedLags.Length) - 1)];

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"load: {concurrency} clients, {eventsPerBatch} events per batch, {seconds} s");
Console.WriteLine($"accepted: {accepted} events in {acceptPhase.TotalSeconds:F1} s = {accepted / acceptPhase.TotalSeconds:F0} events/s ({failures} failed requests)");
Console.WriteLine($"written: {expectedObservations} observations + {expectedObservations} traces queryable after {writePhase.TotalSeconds:F1} s = {accepted / writePhase.TotalSeconds:F0} rows/s");
Console.WriteLine($"lag (ingestion to queryable, {sortedLags.Length} samples): p50 {Percentile(0.50):F0} ms, p95 {Percentile(0.95):F0} ms, max {sortedLags.LastOrDefault():F0} ms");
Console.WriteLine("worker time by stage (whole run): " + string.Join(", ", stages.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value.Seconds:F1} s over {s.Value.Rounds} rounds")));
Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");

await app.StopAsync();
