using System.Diagnostics.Metrics;

namespace TraceIngest.Worker;

/// <summary>
/// What a worker round spends its time on, by stage (<c>load</c> batches from the blob store, <c>read</c> the
/// stored rows, <c>merge</c> events onto them, <c>summarize</c> the touched traces, <c>write</c> the new versions, and <c>wait</c>, recorded only when a
/// round prepared while the one before it was written had to wait for that write because they share an entity or a trace),
/// how many events it wrote, and how many ids it looked up in the store: the numbers to look at when ingestion lags behind.
/// </summary>
public static class IngestionWorkerMetrics
{
    public const string MeterName = "TraceIngest.Worker";
    public const string StageDurationName = "traceingest.worker.stage.duration";
    public const string EventsWrittenName = "traceingest.worker.events.written";
    public const string StoredLookupsName = "traceingest.worker.stored.lookups";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(StageDurationName, "s", "Time a worker round spent in one stage");
    private static readonly Counter<long> StoredLookups = Meter.CreateCounter<long>(StoredLookupsName, description: "Ids a round looked up in the trace store, by kind; ids the store cannot hold are not looked up");
    private static readonly Counter<long> EventsWritten = Meter.CreateCounter<long>(EventsWrittenName, description: "Ingestion events merged and written to the trace store");

    public static void Record(string stage, TimeSpan duration)
    {
        if (StageDuration.Enabled)
        {
            StageDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }

    public static void Written(int events) => EventsWritten.Add(events);

    public static void LookedUp(IReadOnlyDictionary<StoredIdKind, int> ids)
    {
        foreach (var (kind, count) in ids)
        {
            StoredLookups.Add(count, new KeyValuePair<string, object?>("kind", kind.ToString()));
        }
    }
}
