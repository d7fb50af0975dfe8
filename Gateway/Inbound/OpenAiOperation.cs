namespace Gateway.Inbound;

/// <summary>The OpenAI operations the gateway routes to a model, with the path each has under an OpenAI base URL.</summary>
public enum OpenAiOperation
{
    ChatCompletions,
    Completions,
    Embeddings,
}

internal static class OpenAiOperationPaths
{
    public static string UpstreamPath(this OpenAiOperation operation) => operation switch
    {
        OpenAiOperation.ChatCompletions => "chat/completions",
        OpenAiOperation.Completions => "completions",
        _ => "embeddings",
    };
}
