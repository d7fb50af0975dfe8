namespace Gateway.Apis;

/// <summary>Endpoint metadata: errors on this endpoint are written in Anthropic's shape, <c>{"type":"error","error":{…}}</c>.</summary>
public sealed class AnthropicErrorShape
{
    public static AnthropicErrorShape Instance { get; } = new();

    private AnthropicErrorShape()
    {
    }
}
