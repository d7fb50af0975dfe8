using Gateway.Inbound;

namespace Gateway.Translation;

/// <summary>
/// A call that came in on Anthropic's <c>/v1/messages</c> (a feature of its <see cref="HttpContext"/>): the caller's own
/// bytes and fields, for <c>anthropic/</c> deployments that take them as they are, and the response body beneath
/// the <see cref="OpenAiToAnthropicResponseStream"/> that turns other deployments' OpenAI answers into Anthropic's.
/// </summary>
internal sealed class AnthropicInboundCall(RequestBody body, InboundFields fields, Stream callerBody, bool countTokens)
{
    public RequestBody Body { get; } = body;
    public InboundFields Fields { get; } = fields;

    /// <summary>The caller's response body itself: answers passed through are written here, past the translation.</summary>
    public Stream CallerBody { get; } = callerBody;

    /// <summary><c>/v1/messages/count_tokens</c> rather than <c>/v1/messages</c>.</summary>
    public bool CountTokens { get; } = countTokens;
}
