namespace Storage.Blobs;

/// <summary>
/// Immutable objects by key (raw ingestion events, large payloads). A completed <see cref="PutAsync"/> is durable:
/// the object survives a crash of this process from then on.
/// </summary>
public interface IBlobStore
{
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>The object's content, or null when there is no object with that key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the object; removing a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys starting with <paramref name="prefix"/>, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);
}
