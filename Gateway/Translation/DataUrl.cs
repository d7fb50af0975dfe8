namespace Gateway.Translation;

/// <summary>
/// <c>data:&lt;media type&gt;;base64,&lt;data&gt;</c> URLs, the way OpenAI's API carries inline images and files; split
/// without decoding, since Anthropic and Bedrock take the base64 text as is.
/// </summary>
internal static class DataUrl
{
    /// <summary>The media type (lower case, parameters dropped) and the base64 text, or null when <paramref name="url"/> is not a base64 data URL.</summary>
    public static (string MediaType, string Base64)? Parse(string url)
    {
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            return null;
        }

        var header = url.AsSpan(5, comma - 5);
        if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var mediaType = header[..^7];
        var parameters = mediaType.IndexOf(';');
        if (parameters >= 0)
        {
            mediaType = mediaType[..parameters];
        }

        mediaType = mediaType.Trim();
        return mediaType.IsEmpty || comma == url.Length - 1 ? null : (mediaType.ToString().ToLowerInvariant(), url[(comma + 1)..]);
    }

    public static string Create(string mediaType, string base64) => $"data:{mediaType};base64,{base64}";
}
