using TraceIngest.Ingestion;

namespace TraceIngest.Worker;

/// <summary>
/// What a round reads and writes: the entities it merges and the traces whose summaries it touches, by project. A
/// round prepared while another is written must not read what that one writes before it is written.
/// </summary>
public sealed class RoundFootprint
{
    private readonly HashSet<(string ProjectId, IngestionEntity Entity, string EntityId)> _entities = [];
    private readonly HashSet<(string ProjectId, string TraceId)> _traces = [];

    internal void AddEntity(string projectId, IngestionEntity entity, string entityId) => _entities.Add((projectId, entity, entityId));

    internal void AddTraces(string projectId, IEnumerable<TraceRow> traces, IEnumerable<ObservationRow> observations)
    {
        foreach (var trace in traces)
        {
            _traces.Add((projectId, trace.Id));
        }

        foreach (var observation in observations)
        {
            _traces.Add((projectId, observation.TraceId));
        }
    }

    /// <summary>Whether an entity of this round is one the other merges: its stored row is then the other's result.</summary>
    internal bool SharesEntityWith(RoundFootprint other) =>
        // Overlaps walks its argument: the smaller set.
        _entities.Count >= other._entities.Count ? _entities.Overlaps(other._entities) : other._entities.Overlaps(_entities);

    /// <summary>Whether one of <paramref name="projectId"/>'s touched traces is one the other touches: its summary then reads the other's rows.</summary>
    internal bool SharesTraceWith(RoundFootprint other, string projectId) =>
        _traces.Any(t => t.ProjectId == projectId && other._traces.Contains(t));
}
