using System.Buffers;
using System.Text;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// The statement a request carries: the URL's <c>query</c> and the body, joined by a line break as a ClickHouse
/// server joins them. An INSERT with data is split into its head and the data, which is read on as it is
/// inserted, so a large insert is never held in memory whole.
/// </summary>
internal sealed class ClickHouseStatement
{
    private ClickHouseStatement(ReadOnlyMemory<byte> text, InsertData? insert)
    {
        Text = text;
        Insert = insert;
    }

    /// <summary>The whole SQL text; for an INSERT with data, the request as read so far.</summary>
    public ReadOnlyMemory<byte> Text { get; }

    public InsertData? Insert { get; }

    public static async Task<ClickHouseStatement> ReadAsync(string? urlQuery, Stream body, CancellationToken cancellationToken)
    {
        const int ReadSize = 16 * 1024;
        var text = new ArrayBufferWriter<byte>(ReadSize);
        if (!string.IsNullOrEmpty(urlQuery))
        {
            Encoding.UTF8.GetBytes(urlQuery, text);
            text.Write("\n"u8);
        }

        var headEnd = text.WrittenCount + InsertHead.SearchWindow;
        var endOfBody = false;
        while (!endOfBody && text.WrittenCount < headEnd)
        {
            endOfBody = !await ReadMoreAsync(body, text, ReadSize, cancellationToken).ConfigureAwait(false);
        }

        if (InsertHead.TryMatch(text.WrittenSpan, out var statement, out var format, out var dataStart))
        {
            return new ClickHouseStatement(text.WrittenMemory, new InsertData(statement, format, text.WrittenMemory[dataStart..], endOfBody ? null : body));
        }

        while (!endOfBody)
        {
            endOfBody = !await ReadMoreAsync(body, text, ReadSize, cancellationToken).ConfigureAwait(false);
        }

        return new ClickHouseStatement(text.WrittenMemory, null);
    }

    private static async Task<bool> ReadMoreAsync(Stream body, ArrayBufferWriter<byte> text, int size, CancellationToken cancellationToken)
    {
        var read = await body.ReadAsync(text.GetMemory(size), cancellationToken).ConfigureAwait(false);
        text.Advance(read);
        return read > 0;
    }

    /// <param name="Statement">The INSERT without its FORMAT clause.</param>
    /// <param name="Format">The input format of the data.</param>
    /// <param name="FirstChunk">Data already read with the head.</param>
    /// <param name="Rest">The rest of the body, or null when it was read to the end.</param>
    internal sealed record InsertData(byte[] Statement, byte[] Format, ReadOnlyMemory<byte> FirstChunk, Stream? Rest);
}
