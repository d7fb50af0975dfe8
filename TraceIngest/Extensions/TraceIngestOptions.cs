namespace TraceIngest.Extensions;

/// <summary>Which roles this process runs, so the API and the worker can scale apart (both by default).</summary>
public sealed class TraceIngestOptions
{
    public const string SectionName = "TraceIngest";

    /// <summary>Comma-separated: <c>api</c> (ingestion, OTLP and read endpoints), <c>worker</c> (queue to ClickHouse).</summary>
    public string Roles { get; set; } = "api,worker";

    public bool RunsApi => HasRole("api");

    public bool RunsWorker => HasRole("worker");

    private bool HasRole(string role) =>
        Roles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(role, StringComparer.OrdinalIgnoreCase);
}
