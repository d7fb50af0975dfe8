using System.Buffers;

namespace Gateway.Providers;

/// <summary>An upstream answer's body read whole into a pooled buffer (the caller returns it), up to a limit.</summary>
internal static class PooledResponseBody
{
    /// <param name="beforeEachRead">Runs before every read, e.g. to restart a per-read timeout.</param>
    /// <returns>The buffer, the bytes read, and whether the body ended within <paramref name="limit"/>.</returns>
    public static async ValueTask<(byte[] Buffer, int Length, bool Complete)> ReadAsync(
        HttpResponseMessage response, int limit, CancellationToken cancellationToken, Action? beforeEachRead = null)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(response.Content.Headers.ContentLength ?? 16 * 1024, 1024, limit));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        return (buffer, length, false);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                beforeEachRead?.Invoke();
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length, true);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
