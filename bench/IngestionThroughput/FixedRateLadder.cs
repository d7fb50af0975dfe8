using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

/// <summary>What one offered rate gave: events accepted and written per second, accept latency from each request's due time, queryable lag.</summary>
internal sealed record FixedRateStep(
    int OfferedEventsPerSecond, double AcceptedEventsPerSecond, long FailedRequests, double AcceptP50, double AcceptP99,
    double WrittenRowsPerSecond, bool AllWritten, double[] SortedLags, StepProfile Profile);

/// <summary>
/// Where a step's time went, from its first request until its rows were written: the worker's seconds by stage, the
/// process's CPU seconds (all of it, and by thread name), and the active parts of each table at the step's end.
/// </summary>
internal sealed record StepProfile(
    long Events, IReadOnlyDictionary<string, (double Seconds, long Rounds)> Stages, double CpuSeconds,
    IReadOnlyDictionary<string, double> CpuSecondsByThread, IReadOnlyList<(string Table, long Parts)> ActiveParts)
{
    /// <summary>Milliseconds per 1,000 events: the unit the step lines and the report use.</summary>
    public double PerThousandEvents(double seconds) => seconds * 1e6 / Math.Max(Events, 1);

    public string Describe() =>
        $"  per 1,000 events: worker stages {string.Join(", ", Stages.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {PerThousandEvents(s.Value.Seconds):F0} ms"))}; " +
        $"process CPU {PerThousandEvents(CpuSeconds):F0} ms ({string.Join(", ", CpuSecondsByThread.Where(t => t.Value >= 0.05 * CpuSeconds).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {PerThousandEvents(t.Value):F0}"))}); " +
        $"active parts {string.Join(", ", ActiveParts.Select(p => $"{p.Table} {p.Parts}"))}";
}

/// <summary>
/// Offers ingestion fixed event rates, open loop: request i of a step is due at its start + i × eventsPerBatch / rate
/// and is sent then whatever earlier requests are doing (up to <see cref="MaxInFlight"/> at once), so a slow API shows
/// as accept latency and a lower accepted rate rather than as a slower client. Each step then waits until all its rows
/// are queryable (at most <see cref="WriteWait"/>), so the next starts without a backlog.
/// </summary>
internal sealed class FixedRateLadder(HttpClient http, IngestionPayloads payloads, int eventsPerBatch, Func<string, Task<long>> countAsync, TimeSpan stepDuration, WorkerStageTimes stageTimes)
{
    private static readonly string[] PartsOfTables = ["traces", "observations", "generations", "trace_summaries"];

    private const int MaxInFlight = 256;
    private static readonly TimeSpan WriteWait = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<FixedRateStep>> RunAsync(IReadOnlyList<int> rates)
    {
        // An unreported step first, so JIT and the stores' first inserts do not land in the first rate's numbers.
        await RunStepAsync(-1, rates[0], TimeSpan.FromSeconds(Math.Min(10, stepDuration.TotalSeconds)));
        var steps = new List<FixedRateStep>();
        for (var index = 0; index < rates.Count; index++)
        {
            var step = await RunStepAsync(index, rates[index], stepDuration);
            steps.Add(step);
            Console.WriteLine($"offered {step.OfferedEventsPerSecond,6} events/s: accepted {step.AcceptedEventsPerSecond,6:F0} events/s ({step.FailedRequests} failed requests), accept p50 {step.AcceptP50:F0} ms p99 {step.AcceptP99:F0} ms, written {step.WrittenRowsPerSecond,6:F0} rows/s{(step.AllWritten ? "" : " (not all written in time)")}, lag p50 {LagProbe.Percentile(step.SortedLags, 0.5):F0} ms p95 {LagProbe.Percentile(step.SortedLags, 0.95):F0} ms");
            Console.WriteLine(step.Profile.Describe());
        }

        return steps;
    }

    private async Task<FixedRateStep> RunStepAsync(int index, int eventsPerSecond, TimeSpan duration)
    {
        // Each step sends as its own "client" number, so its ids never collide with another step's.
        var client = 101 + index;
        var observationsBefore = await countAsync("SELECT count() FROM observations");
        var (stagesBefore, cpuBefore, threadsBefore) = (stageTimes.Snapshot(), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, ThreadCpu.SecondsByName());
        var clock = Stopwatch.StartNew();
        var probe = new LagProbe(countAsync, clock);
        var requestInterval = TimeSpan.FromSeconds((double)eventsPerBatch / eventsPerSecond);
        var total = (int)(duration / requestInterval);
        var acceptLatencies = new ConcurrentBag<double>();
        var accepted = 0L;
        var failed = 0L;
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var sends = new List<Task>(total);
        for (var sequence = 0; sequence < total; sequence++)
        {
            var due = requestInterval * sequence;
            // Read the clock once: read twice, it could pass the due time in between and give Task.Delay a negative wait.
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await inFlight.WaitAsync();
            var current = sequence;
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    using var content = new StringContent(payloads.Body(client, current), Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(payloads.Path, content);
                    acceptLatencies.Add((clock.Elapsed - due).TotalMilliseconds);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref accepted, eventsPerBatch);
                        probe.TryStart(payloads.LastObservationId(client, current), due);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // A request past HttpClient's timeout counts as failed, rather than faulting the step at its end.
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(sends);
        var acceptPhase = clock.Elapsed;

        var requests = accepted / eventsPerBatch;
        var expectedObservations = observationsBefore + (requests * payloads.ObservationsPerRequest);
        var allWritten = true;
        while (await countAsync("SELECT count() FROM observations") < expectedObservations)
        {
            if (clock.Elapsed > duration + WriteWait)
            {
                allWritten = false;
                break;
            }

            await Task.Delay(20);
        }

        var writePhase = clock.Elapsed;
        var threadsAfter = ThreadCpu.SecondsByName();
        var profile = new StepProfile(
            accepted,
            WorkerStageTimes.Between(stagesBefore, stageTimes.Snapshot()),
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore,
            threadsAfter.ToDictionary(t => t.Key, t => t.Value - threadsBefore.GetValueOrDefault(t.Key), StringComparer.Ordinal),
            await ActivePartsAsync());
        var rows = (requests * payloads.ObservationsPerRequest) + (requests * (eventsPerBatch / 2));
        var sortedAccept = acceptLatencies.Order().ToArray();
        return new FixedRateStep(
            eventsPerSecond, accepted / acceptPhase.TotalSeconds, failed, LagProbe.Percentile(sortedAccept, 0.5), LagProbe.Percentile(sortedAccept, 0.99),
            rows / writePhase.TotalSeconds, allWritten, await probe.SortedLagsAsync(), profile);
    }

    private async Task<IReadOnlyList<(string Table, long Parts)>> ActivePartsAsync()
    {
        var parts = new List<(string, long)>(PartsOfTables.Length);
        foreach (var table in PartsOfTables)
        {
            parts.Add((table, await countAsync($"SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = '{table}'")));
        }

        return parts;
    }
}
