namespace Gateway.Providers.Bedrock.EventStream;

/// <summary>
/// One message of an AWS event stream (<c>application/vnd.amazon.eventstream</c>): typed headers and a payload.
/// Header values are <see cref="bool"/>, <see cref="sbyte"/>, <see cref="short"/>, <see cref="int"/>,
/// <see cref="long"/>, <see cref="T:byte[]"/>, <see cref="string"/>, <see cref="DateTimeOffset"/> or <see cref="Guid"/>.
/// </summary>
internal sealed record EventStreamMessage(IReadOnlyList<KeyValuePair<string, object>> Headers, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The value of a string header, or null when absent or not a string.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value as string;
            }
        }

        return null;
    }

    /// <summary><c>:message-type</c>: <c>event</c>, <c>exception</c> or <c>error</c>.</summary>
    public string? MessageType => Header(":message-type");

    /// <summary><c>:event-type</c> of an event, <c>:exception-type</c> of an exception, <c>:error-code</c> of an error.</summary>
    public string? Kind => MessageType switch
    {
        "exception" => Header(":exception-type"),
        "error" => Header(":error-code"),
        _ => Header(":event-type"),
    };
}
