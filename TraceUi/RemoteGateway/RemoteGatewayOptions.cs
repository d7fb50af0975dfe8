namespace TraceUi.RemoteGateway;

/// <summary>Where a TraceUi deployed apart from the gateway reads the gateway's live catalog and status.</summary>
public sealed class RemoteGatewayOptions
{
    public const string SectionName = "TraceUi:Gateway";

    /// <summary>The gateway's address as TraceUi reaches it (inside the cluster, e.g. <c>http://gateway:8080</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The gateway's master key (else <c>LITELLM_MASTER_KEY</c>): the admin credential for the status route.</summary>
    public string? MasterKey { get; set; }

    /// <summary>How long one read of the gateway's status may take before the pages fall back to the database view.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
