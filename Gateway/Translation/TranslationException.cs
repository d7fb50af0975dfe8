namespace Gateway.Translation;

/// <summary>A request that cannot be expressed in the other API: the caller gets a 400 naming the field.</summary>
internal sealed class TranslationException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}
