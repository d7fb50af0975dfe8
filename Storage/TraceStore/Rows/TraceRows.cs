namespace Storage.TraceStore.Rows;

/// <summary>A row of the <c>traces</c> table: the merged state of one trace.</summary>
public sealed class TraceRow
{
    /// <summary>The environment of rows that name none (Langfuse's default).</summary>
    public const string DefaultEnvironment = "default";

    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public DateTime Timestamp { get; set; }
    public string Name { get; set; } = string.Empty;
    public string? UserId { get; set; }
    public string? SessionId { get; set; }
    public string? Release { get; set; }
    public string? Version { get; set; }
    public string Environment { get; set; } = DefaultEnvironment;
    public bool Public { get; set; }
    public bool Bookmarked { get; set; }
    public List<string> Tags { get; set; } = [];
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);
    public string? Input { get; set; }
    public string? Output { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime EventTs { get; set; }
}

/// <summary>A row of the <c>observations</c> table: the merged state of one span, generation, event, tool call…</summary>
public sealed class ObservationRow
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public string TraceId { get; set; } = string.Empty;
    public string Type { get; set; } = "SPAN";
    public string? ParentObservationId { get; set; }
    public DateTime StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public DateTime? CompletionStartTime { get; set; }
    public string Name { get; set; } = string.Empty;
    public string Level { get; set; } = "DEFAULT";
    public string? StatusMessage { get; set; }
    public string? Version { get; set; }
    public string Environment { get; set; } = TraceRow.DefaultEnvironment;
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);
    public string? Input { get; set; }
    public string? Output { get; set; }
    public string? ProvidedModelName { get; set; }
    public string? ModelParameters { get; set; }
    public Dictionary<string, ulong> UsageDetails { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> CostDetails { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Costs the client gave; computed costs never replace them.</summary>
    public Dictionary<string, double> ProvidedCostDetails { get; set; } = new(StringComparer.Ordinal);

    public double? TotalCost { get; set; }
    public string? PromptName { get; set; }
    public ushort? PromptVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime EventTs { get; set; }
}

/// <summary>A row of the <c>scores</c> table.</summary>
public sealed class ScoreRow
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public DateTime Timestamp { get; set; }
    public string Name { get; set; } = string.Empty;
    public double Value { get; set; }
    public string? StringValue { get; set; }
    public string DataType { get; set; } = "NUMERIC";
    public string Source { get; set; } = "API";
    public string? Comment { get; set; }
    public string? TraceId { get; set; }
    public string? SessionId { get; set; }
    public string? ObservationId { get; set; }
    public string? ConfigId { get; set; }
    public string Environment { get; set; } = TraceRow.DefaultEnvironment;
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime EventTs { get; set; }
}
