namespace Gateway.Providers.Bedrock.Converse;

/// <summary>What the translated request implies for its answer.</summary>
/// <param name="JsonToolName">
/// The tool that carries a <c>response_format</c> answer (Converse has no JSON mode: the schema becomes a forced
/// tool, and its input is the answer's content), or null.
/// </param>
/// <param name="IncludeUsage"><c>stream_options.include_usage</c>: a last chunk with <c>usage</c> and no choices.</param>
internal readonly record struct ConverseRequestShape(string? JsonToolName, bool IncludeUsage);
