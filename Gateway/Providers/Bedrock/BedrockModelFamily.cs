namespace Gateway.Providers.Bedrock;

/// <summary>Who made a Bedrock model, from its id (cross-region inference profile prefixes such as <c>us.</c> ignored): model-specific fields depend on it.</summary>
internal enum BedrockModelFamily
{
    Other,
    Anthropic,
    Nova,
    TitanEmbedding,
    CohereEmbedding,
}

internal static class BedrockModelFamilies
{
    private static readonly string[] ProfilePrefixes = ["us-gov.", "us.", "eu.", "apac.", "global.", "jp.", "au.", "ca.", "ap."];

    public static BedrockModelFamily Of(string modelId)
    {
        var id = BaseModel(modelId);
        return id switch
        {
            _ when id.StartsWith("anthropic.", StringComparison.Ordinal) => BedrockModelFamily.Anthropic,
            _ when id.StartsWith("amazon.nova", StringComparison.Ordinal) => BedrockModelFamily.Nova,
            _ when id.StartsWith("amazon.titan-embed", StringComparison.Ordinal) => BedrockModelFamily.TitanEmbedding,
            _ when id.StartsWith("cohere.embed", StringComparison.Ordinal) => BedrockModelFamily.CohereEmbedding,
            _ => BedrockModelFamily.Other,
        };
    }

    /// <summary>The foundation model id without a cross-region inference profile's geography prefix.</summary>
    public static string BaseModel(string modelId)
    {
        foreach (var prefix in ProfilePrefixes)
        {
            if (modelId.StartsWith(prefix, StringComparison.Ordinal))
            {
                return modelId[prefix.Length..];
            }
        }

        return modelId;
    }

    public static bool IsEmbedding(this BedrockModelFamily family) => family is BedrockModelFamily.TitanEmbedding or BedrockModelFamily.CohereEmbedding;
}
