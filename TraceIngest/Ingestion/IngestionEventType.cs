namespace TraceIngest.Ingestion;

/// <summary>What an ingestion event creates or changes: a trace, an observation (of some kind) or a score.</summary>
public enum IngestionEntity
{
    Trace,
    Observation,
    Score,
}

/// <summary>The Langfuse event types, with the entity each one writes and, for observations, their kind.</summary>
public sealed record IngestionEventType(string Name, IngestionEntity Entity, string? ObservationType, bool IsUpdate)
{
    public const string SdkLog = "sdk-log";

    private static readonly Dictionary<string, IngestionEventType> Known = new IngestionEventType[]
    {
        new("trace-create", IngestionEntity.Trace, null, IsUpdate: false),
        new("score-create", IngestionEntity.Score, null, IsUpdate: false),
        new("span-create", IngestionEntity.Observation, "SPAN", IsUpdate: false),
        new("span-update", IngestionEntity.Observation, "SPAN", IsUpdate: true),
        new("generation-create", IngestionEntity.Observation, "GENERATION", IsUpdate: false),
        new("generation-update", IngestionEntity.Observation, "GENERATION", IsUpdate: true),
        new("event-create", IngestionEntity.Observation, "EVENT", IsUpdate: false),
        new("agent-create", IngestionEntity.Observation, "AGENT", IsUpdate: false),
        new("tool-create", IngestionEntity.Observation, "TOOL", IsUpdate: false),
        new("chain-create", IngestionEntity.Observation, "CHAIN", IsUpdate: false),
        new("retriever-create", IngestionEntity.Observation, "RETRIEVER", IsUpdate: false),
        new("evaluator-create", IngestionEntity.Observation, "EVALUATOR", IsUpdate: false),
        new("embedding-create", IngestionEntity.Observation, "EMBEDDING", IsUpdate: false),
        new("guardrail-create", IngestionEntity.Observation, "GUARDRAIL", IsUpdate: false),
        // Legacy: the observation kind comes from body.type (GENERATION, SPAN or EVENT).
        new("observation-create", IngestionEntity.Observation, null, IsUpdate: false),
        new("observation-update", IngestionEntity.Observation, null, IsUpdate: true),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> LegacyObservationTypes = new HashSet<string>(StringComparer.Ordinal) { "GENERATION", "SPAN", "EVENT" };

    public static IngestionEventType? Find(string name) => Known.GetValueOrDefault(name);

    public static IEnumerable<string> Names => Known.Keys.Append(SdkLog);
}
