namespace Storage.TraceStore.Queries;

/// <summary>
/// Cuts a list of ids bound as one query parameter into pieces a ClickHouse server accepts: parameters travel in the
/// URL, which a server refuses over 1 MiB (<c>http_max_uri_size</c>), and an id may be 800 characters and triple in
/// length when percent-encoded. Every statement that binds an open-ended list of ids goes through this.
/// </summary>
public static class IdParameterChunks
{
    public const int MaxIds = 1000;
    public const int MaxCharacters = 64 * 1024;

    public static IEnumerable<string[]> Of(IEnumerable<string> ids)
    {
        var chunk = new List<string>();
        var characters = 0;
        foreach (var id in ids)
        {
            if (chunk.Count > 0 && (chunk.Count == MaxIds || characters + id.Length > MaxCharacters))
            {
                yield return [.. chunk];
                chunk.Clear();
                characters = 0;
            }

            chunk.Add(id);
            characters += id.Length;
        }

        if (chunk.Count > 0)
        {
            yield return [.. chunk];
        }
    }
}
