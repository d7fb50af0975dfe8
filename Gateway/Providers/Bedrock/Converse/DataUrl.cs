namespace Gateway.Providers.Bedrock.Converse;

/// <summary>A <c>data:&lt;media type&gt;;base64,&lt;data&gt;</c> URL, split without decoding (Converse takes the base64 text as is).</summary>
internal static class DataUrl
{
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

        return (mediaType.ToString().Trim().ToLowerInvariant(), url[(comma + 1)..]);
    }
}
