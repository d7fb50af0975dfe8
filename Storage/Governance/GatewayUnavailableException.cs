namespace Storage.Governance;

/// <summary>The gateway holding the live catalog could not be asked (down, timed out, or refused the credential); the message says which, never a secret.</summary>
public sealed class GatewayUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
