using System.Runtime.CompilerServices;

namespace Storage.Blobs;

/// <summary>
/// The embedded blob store: one file per key under a directory. Writes go to a temporary file that is flushed
/// to disk and then renamed into place, so a reader never sees half an object and a crash never leaves one; the
/// directory is flushed after the rename (and a new directory in its parent), so an acknowledged object also
/// survives power loss.
/// </summary>
internal sealed class LocalDirectoryBlobStore(string root) : IBlobStore
{
    private const string TemporarySuffix = ".partial";

    public string Root { get; } = Path.GetFullPath(root);

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        DirectoryEntries.CreateDurably(directory);
        var temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken);
#pragma warning disable CA1849 // fsync has no asynchronous form, and durability needs it before the rename
                file.Flush(flushToDisk: true);
#pragma warning restore CA1849
            }

            File.Move(temporary, path, overwrite: true);
            DirectoryEntries.Flush(directory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under that prefix: the object is as absent as asked.
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobKey.ValidatePrefix(prefix);
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(file => !file.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask;
    }

    private string PathOf(string key) => Path.Combine(Root, BlobKey.Validate(key).Replace('/', Path.DirectorySeparatorChar));
}
