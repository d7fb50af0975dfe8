namespace Gateway.Tests.Governance;

/// <summary>Timestamps that move only when a test moves them; timers and the wall clock stay the system's.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _timestamp = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Volatile.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, (long)(by.TotalSeconds * TimestampFrequency));
}
