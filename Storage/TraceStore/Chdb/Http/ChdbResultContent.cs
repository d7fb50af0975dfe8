using System.Net;
using System.Net.Http.Headers;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>A response body read straight from chDB's output buffer, released when the response is disposed.</summary>
internal sealed class ChdbResultContent : HttpContent
{
    private readonly ChdbResult _result;

    public ChdbResultContent(ChdbResult result, string format)
    {
        _result = result;
        Headers.ContentType = MediaTypeHeaderValue.Parse(IsBinary(format) ? "application/octet-stream" : "text/plain; charset=UTF-8");
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(_result.OpenOutput());

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var output = _result.OpenOutput();
        await output.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _result.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _result.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool IsBinary(string format) =>
        format.StartsWith("RowBinary", StringComparison.OrdinalIgnoreCase)
        || format.StartsWith("Native", StringComparison.OrdinalIgnoreCase)
        || format.StartsWith("Parquet", StringComparison.OrdinalIgnoreCase)
        || format.StartsWith("Arrow", StringComparison.OrdinalIgnoreCase);
}
