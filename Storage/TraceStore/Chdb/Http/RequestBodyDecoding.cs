using System.IO.Compression;
using ClickHouse.Driver.Compression;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// Undoes the request's <c>Content-Encoding</c>. The driver gzips SQL and zstd-compresses bulk inserts by
/// default; .NET 10 has no zstd decoder, so the driver's own (public) codecs decode what it sends.
/// </summary>
internal static class RequestBodyDecoding
{
    public static Stream Decode(Stream body, IEnumerable<string> contentEncodings)
    {
        // Codings apply in the order listed, so they come off in reverse.
        foreach (var coding in contentEncodings.Reverse())
        {
            body = coding.Trim().ToLowerInvariant() switch
            {
                "" or "identity" => body,
                "gzip" or "x-gzip" => GZipCompressor.Default.Decompress(body, false),
                "zstd" => ZstdCompressor.Default.Decompress(body, false),
                "lz4" => Lz4Compressor.Default.Decompress(body, false),
                "br" => BrotliCompressor.Default.Decompress(body, false),
                "deflate" => new ZLibStream(body, CompressionMode.Decompress),
                var unknown => throw new ChdbException(ChdbException.NotImplemented, $"Unknown Content-Encoding '{unknown}'."),
            };
        }

        return body;
    }
}
