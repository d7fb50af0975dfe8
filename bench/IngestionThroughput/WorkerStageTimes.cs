using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using TraceIngest.Worker;

/// <summary>
/// The worker's time by stage (load, read, merge, summarize, write, wait), summed from its stage-duration histogram
/// since the listener started; a snapshot taken at each step's end gives the step's share by difference.
/// </summary>
internal sealed class WorkerStageTimes : IDisposable
{
    private readonly ConcurrentDictionary<string, (double Seconds, long Rounds)> _stages = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new()
    {
        InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngestionWorkerMetrics.MeterName && instrument.Name == IngestionWorkerMetrics.StageDurationName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        },
    };

    public WorkerStageTimes()
    {
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
            _stages.AddOrUpdate((string)tags[0].Value!, (seconds, 1), (_, total) => (total.Seconds + seconds, total.Rounds + 1)));
        _listener.Start();
    }

    /// <summary>Seconds and rounds per stage so far, by stage name.</summary>
    public IReadOnlyDictionary<string, (double Seconds, long Rounds)> Snapshot() => new Dictionary<string, (double, long)>(_stages, StringComparer.Ordinal);

    /// <summary>What each stage added between two snapshots.</summary>
    public static IReadOnlyDictionary<string, (double Seconds, long Rounds)> Between(
        IReadOnlyDictionary<string, (double Seconds, long Rounds)> before, IReadOnlyDictionary<string, (double Seconds, long Rounds)> after) =>
        after.ToDictionary(
            s => s.Key,
            s => before.TryGetValue(s.Key, out var b) ? (s.Value.Seconds - b.Seconds, s.Value.Rounds - b.Rounds) : s.Value,
            StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();
}
