using System.Runtime.InteropServices;

namespace Storage.Blobs;

/// <summary>
/// Makes a directory's entries durable: a renamed or created file survives power loss only once its directory is
/// flushed too (fsync of the file alone covers its contents, not its name). .NET opens no directory handle, so this
/// calls open(2) and fsync(2) itself; on systems other than Linux and macOS it does nothing.
/// </summary>
internal static partial class DirectoryEntries
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and its missing ancestors, each one's entry flushed in its parent.</summary>
    public static void CreateDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var parent = Path.GetDirectoryName(directory);
        if (parent is not null)
        {
            CreateDurably(parent);
        }

        Directory.CreateDirectory(directory);
        if (parent is not null)
        {
            Flush(parent);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
