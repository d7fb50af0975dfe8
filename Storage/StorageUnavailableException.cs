namespace Storage;

/// <summary>
/// A backend of a seam cannot be reached or did not answer in time. Callers map it to 503 (or retry): it never
/// means the data was wrong, and nothing was half-written by the call that threw it.
/// </summary>
public sealed class StorageUnavailableException(string seam, string implementation, string message, Exception? inner = null)
    : Exception($"{seam} store ({implementation}) unavailable: {message}", inner)
{
    public string Seam { get; } = seam;
    public string Implementation { get; } = implementation;
}
