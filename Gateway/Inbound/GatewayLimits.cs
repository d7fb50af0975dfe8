namespace Gateway.Inbound;

/// <summary>Limits on inbound requests (section <c>Gateway</c>).</summary>
public sealed class GatewayLimits
{
    public const string SectionName = "Gateway";

    /// <summary>Largest request body accepted; larger ones get 413. Images travel inline as base64, hence the room.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;
}
