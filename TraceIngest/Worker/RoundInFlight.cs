namespace TraceIngest.Worker;

/// <summary>
/// The round being written while the next is prepared: what it writes (null when unknown, as for a round that
/// failed before it was read, which then conflicts with everything) and its write, complete when its rows are
/// written and acknowledged or it has failed.
/// </summary>
public sealed record RoundInFlight(RoundFootprint? Footprint, Task Written);
