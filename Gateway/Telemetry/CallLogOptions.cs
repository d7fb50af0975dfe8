namespace Gateway.Telemetry;

/// <summary>
/// What the one log line per call may include beyond its numbers. Prompts stay out of logs unless
/// <see cref="MessagePreviews"/> is on: then the line carries the start of the latest user message and the end of
/// the conversation, each at most <see cref="PreviewCharacters"/> long.
/// </summary>
public sealed class CallLogOptions
{
    public const string SectionName = "Gateway:CallLog";

    public bool MessagePreviews { get; set; }

    public int PreviewCharacters { get; set; } = 200;
}
