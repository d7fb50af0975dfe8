using System.Runtime.InteropServices;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// A successful statement's output and statistics, owned by chDB until disposed: the output is read in place,
/// never copied, and released with <c>chdb_destroy_query_result</c>.
/// </summary>
internal sealed unsafe class ChdbResult : SafeHandle
{
    // An empty output still needs a valid pointer for UnmanagedMemoryStream.
    private static readonly byte* EmptyOutput = (byte*)NativeMemory.Alloc(1);

    public ChdbResult(nint result)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(result);
        Length = checked((long)ChdbNative.ResultLength(result));
        ResultRows = ChdbNative.ResultRowsRead(result);
        ResultBytes = ChdbNative.ResultBytesRead(result);
        ReadRows = ChdbNative.ResultStorageRowsRead(result);
        ReadBytes = ChdbNative.ResultStorageBytesRead(result);
        WrittenRows = ChdbNative.ResultRowsWritten(result);
        WrittenBytes = ChdbNative.ResultBytesWritten(result);
        Elapsed = TimeSpan.FromSeconds(ChdbNative.ResultElapsedSeconds(result));
    }

    public override bool IsInvalid => handle == nint.Zero;

    public long Length { get; }
    public ulong ResultRows { get; }
    public ulong ResultBytes { get; }
    public ulong ReadRows { get; }
    public ulong ReadBytes { get; }
    public ulong WrittenRows { get; }
    public ulong WrittenBytes { get; }
    public TimeSpan Elapsed { get; }

    /// <summary>A read-only view of the output, which keeps the output alive until it is disposed too.</summary>
    public Stream OpenOutput()
    {
        var added = false;
        DangerousAddRef(ref added);
        var buffer = Length == 0 ? EmptyOutput : ChdbNative.ResultBuffer(handle);
        return new OutputStream(this, buffer, Length);
    }

    /// <summary>The output as text, for the few statements whose answer the store reads itself.</summary>
    public string OutputText()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        return Length == 0 ? string.Empty : System.Text.Encoding.UTF8.GetString(ChdbNative.ResultBuffer(handle), checked((int)Length));
    }

    protected override bool ReleaseHandle()
    {
        ChdbNative.DestroyResult(handle);
        return true;
    }

    private sealed class OutputStream(ChdbResult result, byte* buffer, long length)
        : UnmanagedMemoryStream(buffer, length, length, FileAccess.Read)
    {
        private ChdbResult? _result = result;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            Interlocked.Exchange(ref _result, null)?.DangerousRelease();
        }
    }
}
