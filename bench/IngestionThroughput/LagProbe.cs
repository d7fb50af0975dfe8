using System.Collections.Concurrent;
using System.Diagnostics;

/// <summary>
/// Ingestion-to-queryable lag, sampled: one request at a time has its last observation polled in ClickHouse (every
/// 25 ms) until it is visible, so the polling stays a small load on the store.
/// </summary>
internal sealed class LagProbe(Func<string, Task<long>> countAsync, Stopwatch clock)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);
    private readonly ConcurrentBag<double> _lags = [];
    private int _probing;
    private Task _current = Task.CompletedTask;

    /// <summary>Starts polling for <paramref name="observationId"/> (sent at <paramref name="sent"/> on the clock) unless a probe is already running.</summary>
    public void TryStart(string observationId, TimeSpan sent)
    {
        if (Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return;
        }

        _current = Task.Run(async () =>
        {
            var giveUpAt = clock.Elapsed + GiveUpAfter;
            while (await countAsync($"SELECT count() FROM observations WHERE id = '{observationId}'") == 0)
            {
                if (clock.Elapsed > giveUpAt)
                {
                    // An accepted event not queryable after minutes is a finding, not a wait: reported, never hung on.
                    Console.WriteLine($"lag probe: observation {observationId} still not queryable {GiveUpAfter.TotalMinutes:F0} min after it was accepted");
                    return;
                }

                await Task.Delay(25);
            }

            _lags.Add((clock.Elapsed - sent).TotalMilliseconds);
            Volatile.Write(ref _probing, 0);
        });
    }

    /// <summary>Waits for the running probe, if any, then gives the samples in ascending order (milliseconds).</summary>
    public async Task<double[]> SortedLagsAsync()
    {
        await _current;
        return [.. _lags.Order()];
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
