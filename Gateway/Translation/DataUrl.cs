namespace Gateway.Translation;

/// <summary><c>data:&lt;media type&gt;;base64,&lt;data&gt;</c> URLs, the way OpenAI's API carries inline images and files.</summary>
internal static class DataUrl
{
    public static bool TryParse(string url, out string mediaType, out string data)
    {
        mediaType = data = string.Empty;
        const string marker = ";base64,";
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var at = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 5)
        {
            return false;
        }

        mediaType = url[5..at];
        data = url[(at + marker.Length)..];
        return mediaType.Length > 0 && data.Length > 0;
    }

    public static string Create(string mediaType, string base64) => $"data:{mediaType};base64,{base64}";
}
