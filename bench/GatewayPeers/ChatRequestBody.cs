namespace GatewayPeers;

/// <summary>The one chat completion every load generator here sends, so closed-loop and open-loop runs compare.</summary>
internal static class ChatRequestBody
{
    public static string For(RunningTarget target, bool stream) =>
        $$"""{"model":"{{target.Model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";
}
