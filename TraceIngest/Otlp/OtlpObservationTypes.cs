using TraceIngest.Ingestion;

namespace TraceIngest.Otlp;

/// <summary>Which Langfuse observation kind a span is, by the conventions instrumentations use, in priority order.</summary>
internal static class OtlpObservationTypes
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal)
    {
        "SPAN", "GENERATION", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "EMBEDDING", "GUARDRAIL",
    };

    private static readonly Dictionary<string, string> OpenInference = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LLM"] = "GENERATION", ["EMBEDDING"] = "EMBEDDING", ["TOOL"] = "TOOL", ["AGENT"] = "AGENT", ["CHAIN"] = "CHAIN",
        ["RETRIEVER"] = "RETRIEVER", ["RERANKER"] = "RETRIEVER", ["GUARDRAIL"] = "GUARDRAIL", ["EVALUATOR"] = "EVALUATOR",
    };

    private static readonly Dictionary<string, string> GenAiOperations = new(StringComparer.Ordinal)
    {
        ["chat"] = "GENERATION", ["completion"] = "GENERATION", ["text_completion"] = "GENERATION",
        ["generate_content"] = "GENERATION", ["generate"] = "GENERATION", ["embeddings"] = "EMBEDDING",
        ["invoke_agent"] = "AGENT", ["create_agent"] = "AGENT", ["execute_tool"] = "TOOL",
    };

    public static readonly string[] ModelAttributes = ["langfuse.observation.model.name", "gen_ai.response.model", "gen_ai.request.model", "llm.model_name"];

    public static string Of(SpanAttributes attributes)
    {
        if (attributes.TakeString("langfuse.observation.type")?.ToUpperInvariant() is { } declared && Kinds.Contains(declared))
        {
            return declared;
        }

        if (attributes.TakeString("openinference.span.kind") is { } kind && OpenInference.TryGetValue(kind, out var mapped))
        {
            return mapped;
        }

        if (attributes.TakeString("gen_ai.operation.name") is { } operation && GenAiOperations.TryGetValue(operation, out var byOperation))
        {
            return byOperation;
        }

        if (attributes.Has("gen_ai.tool.name") || attributes.Has("gen_ai.tool.call.id"))
        {
            return "TOOL";
        }

        foreach (var model in ModelAttributes)
        {
            if (attributes.Has(model))
            {
                return "GENERATION";
            }
        }

        return "SPAN";
    }

    /// <summary>The <c>*-create</c> event of an observation kind.</summary>
    public static IngestionEventType CreateEvent(string kind) => CreateEvents[kind];

    private static readonly Dictionary<string, IngestionEventType> CreateEvents =
        Kinds.ToDictionary(kind => kind, kind => IngestionEventType.Find($"{kind.ToLowerInvariant()}-create")!, StringComparer.Ordinal);
}
