using Storage.TraceStore.Summaries;

namespace TraceIngest.Worker;

/// <summary>
/// A round loaded, read and merged, ready to be written: its rows and, in process, the summaries of the traces it
/// touches. It holds copies only (its batch documents are released once merged), so a round prepared ahead costs
/// the memory of its rows.
/// </summary>
public sealed class PreparedRound(RoundFootprint footprint)
{
    public RoundFootprint Footprint => footprint;

    public int Events { get; internal set; }

    internal List<TraceRow> Traces { get; } = [];

    internal List<ObservationRow> Observations { get; } = [];

    internal List<ScoreRow> Scores { get; } = [];

    internal List<TraceSummary> Summaries { get; } = [];

    internal DateTime SummaryVersion { get; set; }

    /// <summary>How many ids of each kind the round looked up in the store (ids it cannot hold are not looked up).</summary>
    internal Dictionary<StoredIdKind, int> LookedUp { get; } = [];

    internal void AddLookups(StoredIdKind kind, int ids) => LookedUp[kind] = LookedUp.GetValueOrDefault(kind) + ids;
}
