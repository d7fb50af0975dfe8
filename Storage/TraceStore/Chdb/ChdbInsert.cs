using System.Runtime.InteropServices;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// A streaming INSERT in progress (<c>chdb_stream_insert</c>): data is appended in chunks as it arrives and
/// committed by <see cref="Complete"/>. The connection accepts no other statement until this is disposed;
/// an INSERT disposed uncommitted is cancelled and counts as a failed statement.
/// </summary>
internal sealed unsafe class ChdbInsert(ChdbConnection connection, nint stream) : IDisposable
{
    private nint _stream = stream;
    private bool _committed;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int state;
        fixed (byte* chunk = data)
        {
            state = ChdbNative.StreamAppend(Stream, chunk, (nuint)data.Length);
        }

        if (state != 0)
        {
            var error = ChdbNative.StreamInsertError(Stream);
            throw new ChdbException(error is null ? "chDB refused the inserted data" : Marshal.PtrToStringUTF8((nint)error)!);
        }
    }

    public ChdbResult Complete()
    {
        var result = ChdbNative.StreamDone(Stream);
        var message = ChdbConnection.TakeError(result);
        if (message is not null)
        {
            throw new ChdbException(message);
        }

        _committed = true;
        return new ChdbResult(result);
    }

    public void Dispose()
    {
        if (_stream == nint.Zero)
        {
            return;
        }

        ChdbNative.DestroyInsertStream(_stream);
        _stream = nint.Zero;
        if (!_committed)
        {
            connection.DiscardStaleOutput();
        }
    }

    private nint Stream => _stream != nint.Zero ? _stream : throw new ObjectDisposedException(nameof(ChdbInsert));
}
