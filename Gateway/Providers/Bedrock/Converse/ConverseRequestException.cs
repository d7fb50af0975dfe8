namespace Gateway.Providers.Bedrock.Converse;

/// <summary>An OpenAI request that cannot be expressed in Bedrock's Converse API; the caller gets a 400 with this message.</summary>
internal sealed class ConverseRequestException(string message, string? param = null) : Exception(message)
{
    public string? Param => param;
}
