namespace Gateway.Routing;

/// <summary>
/// What this replica has seen of a deployment, for least-busy and latency-based routing: calls in flight and an
/// exponentially weighted moving average of latency (whole answers) and of time to first token (streams). Kept
/// across config reloads for a deployment whose id stays the same.
/// </summary>
internal sealed class DeploymentLoad
{
    // Each new sample counts for 30 %: a deployment that slows down is noticed within a few calls.
    private const double Smoothing = 0.3;

    private int _inFlight;
    private long _latencyBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private long _firstTokenBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Seconds per answer (EWMA), NaN before the first sample.</summary>
    public double Latency => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _latencyBits));

    /// <summary>Seconds to a stream's first byte (EWMA), NaN before the first sample.</summary>
    public double TimeToFirstToken => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _firstTokenBits));

    public void CallStarted() => Interlocked.Increment(ref _inFlight);

    public void CallEnded() => Interlocked.Decrement(ref _inFlight);

    public void RecordLatency(TimeSpan latency) => Record(ref _latencyBits, latency.TotalSeconds);

    public void RecordTimeToFirstToken(TimeSpan latency) => Record(ref _firstTokenBits, latency.TotalSeconds);

    /// <summary>The figure latency-based routing compares: time to first token for streams when known, else latency.</summary>
    public double ExpectedSeconds(bool stream) => stream && !double.IsNaN(TimeToFirstToken) ? TimeToFirstToken : Latency;

    private static void Record(ref long bits, double sample)
    {
        while (true)
        {
            var seen = Interlocked.Read(ref bits);
            var current = BitConverter.Int64BitsToDouble(seen);
            var next = double.IsNaN(current) ? sample : current + Smoothing * (sample - current);
            if (Interlocked.CompareExchange(ref bits, BitConverter.DoubleToInt64Bits(next), seen) == seen)
            {
                return;
            }
        }
    }
}
