using System.Buffers;
using System.Net;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// The ClickHouse HTTP interface, the part ClickHouse.Driver uses, answered by the in-process chDB engine:
/// <c>GET /ping</c>; queries by POST (or GET) with the SQL in the body and/or <c>query</c>, <c>param_*</c>
/// values, <c>database</c>, <c>default_format</c>, <c>query_id</c> and settings in the URL; inserts with data
/// (RowBinary from the bulk insert) in any <c>Content-Encoding</c> the driver sends; errors as
/// <c>Code: N. DB::Exception</c> bodies with <c>X-ClickHouse-Exception-Code</c>. The driver talks to it
/// exactly as to a server, and <see cref="ChdbLoopbackServer"/> serves it to other processes.
/// Not supported: sessions (<c>session_id</c>) and ClickHouse's own <c>compress</c>/<c>decompress</c>
/// framing; responses are never compressed (the client only advertises what it could decode). Cancellation
/// stops a request while it waits for a connection or reads its body; a statement, once started in chDB's
/// blocking call, runs to the end.
/// </summary>
internal sealed class ChdbHttpHandler(ChdbEngine engine) : HttpMessageHandler
{
    private const int InsertChunkSize = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var path = uri.AbsolutePath;
        if (path == "/ping" || (path == "/" && request.Method == HttpMethod.Get && string.IsNullOrEmpty(uri.Query)))
        {
            return ClickHouseHttpResponses.Ok(request);
        }

        var queryId = ClickHouseHttpRequest.QueryIdOf(uri);
        try
        {
            if (path != "/")
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request, Content = new StringContent($"There is no handle {path}\n") };
            }

            var parsed = ClickHouseHttpRequest.Parse(uri, queryId);
            await using var body = request.Content is null
                ? Stream.Null
                : RequestBodyDecoding.Decode(await request.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), request.Content.Headers.ContentEncoding);
            var statement = await ClickHouseStatement.ReadAsync(parsed.Query, body, cancellationToken).ConfigureAwait(false);

            using var lease = await engine.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var connection = lease.Connection;
            connection.Prepare(parsed.Database, parsed.Settings);
            var result = statement.Insert is { } insert
                ? await InsertAsync(connection, insert, parsed, cancellationToken).ConfigureAwait(false)
                : connection.Query(statement.Text.Span, parsed.FormatBytes, parsed.Parameters);
            return ClickHouseHttpResponses.Result(request, result, parsed.Format, queryId, engine.Timezone);
        }
        catch (ChdbException error)
        {
            return ClickHouseHttpResponses.Error(request, error, queryId);
        }
    }

    private static async Task<ChdbResult> InsertAsync(ChdbConnection connection, ClickHouseStatement.InsertData data, ClickHouseHttpRequest request, CancellationToken cancellationToken)
    {
        using var insert = connection.BeginInsert(data.Statement, data.Format, request.Parameters);
        insert.Append(data.FirstChunk.Span);
        if (data.Rest is { } rest)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(InsertChunkSize);
            try
            {
                int read;
                while ((read = await rest.ReadAtLeastAsync(buffer, InsertChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    insert.Append(buffer.AsSpan(0, read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return insert.Complete();
    }
}
