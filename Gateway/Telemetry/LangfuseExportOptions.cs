namespace Gateway.Telemetry;

/// <summary>
/// Where the gateway sends a trace of every call: a Langfuse-compatible ingestion API (TraceIngest, or Langfuse
/// itself), named by the variables LiteLLM's langfuse callback reads. Export is on when both keys are set.
/// </summary>
public sealed class LangfuseExportOptions
{
    [ConfigurationKeyName("LANGFUSE_HOST")] public string? Host { get; set; }
    [ConfigurationKeyName("LANGFUSE_PUBLIC_KEY")] public string? PublicKey { get; set; }
    [ConfigurationKeyName("LANGFUSE_SECRET_KEY")] public string? SecretKey { get; set; }

    /// <summary>The Langfuse environment every trace is filed under (as the Langfuse SDKs read it); unset: Langfuse's <c>default</c>.</summary>
    [ConfigurationKeyName("LANGFUSE_TRACING_ENVIRONMENT")] public string? Environment { get; set; }

    /// <summary>Langfuse's rule for environment names: lower case letters, digits, '-' and '_', at most 40, not starting with "langfuse".</summary>
    public bool EnvironmentIsValid => Environment is null
        || (Environment.Length is > 0 and <= 40 && !Environment.StartsWith("langfuse", StringComparison.Ordinal)
            && Environment.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'));

    /// <summary>Calls kept in memory while the exporter catches up; beyond it new calls go to disk, then are dropped.</summary>
    [ConfigurationKeyName("Gateway:Traces:QueueCapacity")] public int QueueCapacity { get; set; } = 10_000;

    [ConfigurationKeyName("Gateway:Traces:MaxBatchEvents")] public int MaxBatchEvents { get; set; } = 500;

    [ConfigurationKeyName("Gateway:Traces:FlushInterval")] public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Batches that could not be delivered are kept here (at most <see cref="MaxSpooledBatches"/>) and sent later.</summary>
    [ConfigurationKeyName("Gateway:Traces:SpoolDirectory")] public string? SpoolDirectory { get; set; }

    [ConfigurationKeyName("Gateway:Traces:MaxSpooledBatches")] public int MaxSpooledBatches { get; set; } = 1_000;

    public bool Enabled => !string.IsNullOrWhiteSpace(PublicKey) && !string.IsNullOrWhiteSpace(SecretKey);
}
