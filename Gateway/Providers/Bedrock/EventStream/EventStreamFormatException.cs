namespace Gateway.Providers.Bedrock.EventStream;

/// <summary>Bytes that are not a valid AWS event-stream message: impossible lengths, a checksum mismatch, a truncated frame.</summary>
internal sealed class EventStreamFormatException(string message) : Exception(message);
