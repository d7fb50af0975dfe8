using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace TraceIngest.Apis;

/// <summary>Reads a whole request body (gzip-decoded when so encoded) up to a limit that applies after decoding.</summary>
internal static class RequestBody
{
    public enum Outcome
    {
        Read,
        TooLarge,
        BadEncoding,
    }

    public static async Task<(Outcome Outcome, ReadOnlyMemory<byte> Body)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (Outcome.TooLarge, default);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Our own limit decides, with a clear error; Kestrel's default must not cut in first when ours is larger.
            limit.MaxRequestBodySize = null;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        Stream source = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" or "x-gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => Stream.Null,
        };
        if (source == Stream.Null)
        {
            return (Outcome.BadEncoding, default);
        }

        await using (source.ConfigureAwait(false))
        {
            var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength.Value : 64 * 1024);
            try
            {
                while (true)
                {
                    var memory = buffer.GetMemory(16 * 1024);
                    var read = await source.ReadAsync(memory, cancellationToken);
                    if (read == 0)
                    {
                        return (Outcome.Read, buffer.WrittenMemory);
                    }

                    buffer.Advance(read);
                    if (buffer.WrittenCount > maxBytes)
                    {
                        return (Outcome.TooLarge, default);
                    }
                }
            }
            catch (InvalidDataException)
            {
                return (Outcome.BadEncoding, default);
            }
        }
    }
}
