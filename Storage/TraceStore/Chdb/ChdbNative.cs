using System.Runtime.InteropServices;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// The part of chDB's C API (<c>chdb.h</c>, libchdb 26.7) the embedded trace store uses. Handles are opaque
/// pointers: <c>chdb_connect</c> returns a pointer to the connection handle, the query functions take the
/// handle itself and <c>chdb_close_conn</c> the pointer. Every result must be destroyed, failed ones too.
/// </summary>
internal static unsafe partial class ChdbNative
{
    public const string LibraryName = "chdb";

    [LibraryImport(LibraryName, EntryPoint = "chdb_set_signal_handlers_enabled")]
    public static partial void SetSignalHandlersEnabled(int enabled);

    /// <summary>Joins every chDB thread; refused (non-zero) while a connection is open. The engine cannot restart after.</summary>
    [LibraryImport(LibraryName, EntryPoint = "chdb_shutdown")]
    public static partial int Shutdown();

    [LibraryImport(LibraryName, EntryPoint = "chdb_connect")]
    public static partial nint* Connect(int argc, byte** argv);

    [LibraryImport(LibraryName, EntryPoint = "chdb_close_conn")]
    public static partial void CloseConnection(nint* connection);

    [LibraryImport(LibraryName, EntryPoint = "chdb_query_n")]
    public static partial nint Query(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(LibraryName, EntryPoint = "chdb_query_with_params_n")]
    public static partial nint QueryWithParameters(
        nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        byte** names, nuint* nameLengths, byte** values, nuint* valueLengths, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "chdb_stream_insert_with_params_n")]
    public static partial nint StreamInsert(
        nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        byte** names, nuint* nameLengths, byte** values, nuint* valueLengths, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "chdb_stream_append")]
    public static partial int StreamAppend(nint stream, byte* data, nuint length);

    [LibraryImport(LibraryName, EntryPoint = "chdb_stream_done")]
    public static partial nint StreamDone(nint stream);

    [LibraryImport(LibraryName, EntryPoint = "chdb_stream_insert_error")]
    public static partial byte* StreamInsertError(nint stream);

    [LibraryImport(LibraryName, EntryPoint = "chdb_destroy_insert_stream")]
    public static partial void DestroyInsertStream(nint stream);

    [LibraryImport(LibraryName, EntryPoint = "chdb_destroy_query_result")]
    public static partial void DestroyResult(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_buffer")]
    public static partial byte* ResultBuffer(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_length")]
    public static partial nuint ResultLength(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_error")]
    public static partial byte* ResultError(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_elapsed")]
    public static partial double ResultElapsedSeconds(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_rows_read")]
    public static partial ulong ResultRowsRead(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_bytes_read")]
    public static partial ulong ResultBytesRead(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_storage_rows_read")]
    public static partial ulong ResultStorageRowsRead(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_storage_bytes_read")]
    public static partial ulong ResultStorageBytesRead(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_rows_written")]
    public static partial ulong ResultRowsWritten(nint result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_result_bytes_written")]
    public static partial ulong ResultBytesWritten(nint result);
}
