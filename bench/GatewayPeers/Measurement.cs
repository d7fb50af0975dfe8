namespace GatewayPeers;

/// <summary>One target at one load in one round.</summary>
internal sealed record Measurement(string Target, string Label, bool Stream, int Connections, int Round, WrkResult Result, long ResidentBytes);
