using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace FakeLlmUpstream;

/// <summary>The one request handler: chat completions as JSON or SSE, models, a Langfuse ingestion sink, else 404.</summary>
internal sealed class ChatResponder
{
    private static readonly byte[] StreamTrue = "\"stream\":true"u8.ToArray();
    private static readonly byte[] StreamTrueSpaced = "\"stream\": true"u8.ToArray();

    private readonly UpstreamOptions _options;
    private long _calls;
    private readonly byte[] _completion;
    private readonly byte[][] _streamEvents;
    private readonly byte[] _models = """{"object":"list","data":[{"id":"bench","object":"model","created":1700000000,"owned_by":"bench"}]}"""u8.ToArray();
    private readonly byte[] _ingestionAccepted = """{"successes":[],"errors":[]}"""u8.ToArray();

    public ChatResponder(UpstreamOptions options)
    {
        _options = options;
        _completion = Encoding.UTF8.GetBytes(
            """{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! This is a short answer from the fake upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":12,"total_tokens":26}}""");
        var events = new List<byte[]>();
        for (var i = 0; i < options.Chunks; i++)
        {
            events.Add(Encoding.UTF8.GetBytes(
                $$"""data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{{(i == 0 ? """{"role":"assistant","content":"Hello"}""" : """{"content":" word"}""")}},"finish_reason":null}]}""" + "\n\n"));
        }

        events.Add(Encoding.UTF8.GetBytes(
            """data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n" +
            """data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[],"usage":{"prompt_tokens":14,"completion_tokens":12,"total_tokens":26}}""" + "\n\n" +
            "data: [DONE]\n\n"));
        _streamEvents = [.. events];
    }

    public async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (HttpMethods.IsPost(context.Request.Method) && path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            var stream = await ReadsStreamFlagAsync(context.Request.BodyReader, context.RequestAborted);
            if (LatencyOfNextCall() is var latencyMs and > 0)
            {
                await Task.Delay(latencyMs, context.RequestAborted);
            }

            await (stream ? WriteStreamAsync(context) : WriteAsync(context, "application/json", _completion));
        }
        else if (HttpMethods.IsGet(context.Request.Method) && path.EndsWith("/models", StringComparison.Ordinal))
        {
            await WriteAsync(context, "application/json", _models);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && path == "/api/public/ingestion")
        {
            await ReadsStreamFlagAsync(context.Request.BodyReader, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status207MultiStatus;
            await WriteAsync(context, "application/json", _ingestionAccepted);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private int LatencyOfNextCall()
    {
        if (_options.LatencySpreadMs == 0)
        {
            return _options.LatencyMs;
        }

        // A stride coprime to 100 visits every step once per hundred calls, neighbours far apart: closed-loop clients
        // that a constant latency would keep in step drift apart, and every hundred calls wait the same in total.
        var call = Interlocked.Increment(ref _calls) - 1;
        return _options.LatencyMs + (int)(_options.LatencySpreadMs * (call * 37 % 100) / 100);
    }

    private static Task WriteAsync(HttpContext context, string contentType, byte[] body)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private async Task WriteStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        for (var i = 0; i < _streamEvents.Length; i++)
        {
            if (i > 0 && _options.ChunkIntervalMs > 0)
            {
                await Task.Delay(_options.ChunkIntervalMs, context.RequestAborted);
            }

            await context.Response.BodyWriter.WriteAsync(_streamEvents[i], context.RequestAborted);
        }
    }

    /// <summary>Drains the body and says whether it asked for a stream; a byte search is enough for a benchmark's fixed payloads.</summary>
    private static async Task<bool> ReadsStreamFlagAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var found = false;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted)
            {
                found = Contains(result.Buffer);
                reader.AdvanceTo(result.Buffer.End);
                return found;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static bool Contains(ReadOnlySequence<byte> body)
    {
        var bytes = body.IsSingleSegment ? body.FirstSpan : body.ToArray();
        return bytes.IndexOf(StreamTrue) >= 0 || bytes.IndexOf(StreamTrueSpaced) >= 0;
    }
}
