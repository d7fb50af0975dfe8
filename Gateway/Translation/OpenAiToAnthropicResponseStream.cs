using System.Buffers;
using System.Text.Json;

namespace Gateway.Translation;

/// <summary>
/// The response body of an Anthropic-API call while a deployment that speaks OpenAI's API answers it: what the
/// provider writes in OpenAI's format reaches the caller in Anthropic's. An event stream is translated event by
/// event and flushed as it goes; a JSON answer or an error is held until the attempt ends (<see cref="CompleteAsync"/>),
/// then written translated, with its new length. Answers passed through by Anthropic deployments never come here.
/// </summary>
internal sealed class OpenAiToAnthropicResponseStream(HttpResponse response, Stream inner) : Stream
{
    private enum Mode
    {
        Undecided,
        Events,
        Held,
    }

    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private Mode _mode;
    private SseEventReader? _events;
    private OpenAiToAnthropicStream? _translator;
    private MemoryStream? _held;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_mode == Mode.Undecided)
        {
            _mode = response.StatusCode is >= 200 and < 300 && response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
                ? Mode.Events
                : Mode.Held;
        }

        if (_mode == Mode.Held)
        {
            (_held ??= new MemoryStream()).Write(buffer.Span);
            return;
        }

        _events ??= new SseEventReader();
        _translator ??= new OpenAiToAnthropicStream();
        foreach (var sse in _events.Read(buffer.Span))
        {
            Translate(sse);
        }

        await SendAsync(cancellationToken);
    }

    private void Translate(SseEvent sse)
    {
        try
        {
            _translator!.Translate(sse, _output);
        }
        catch (JsonException)
        {
            // An event that is not JSON is not the provider's answer; what was translated so far stands.
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_output.WrittenCount > 0)
        {
            await inner.WriteAsync(_output.WrittenMemory, cancellationToken);
            await inner.FlushAsync(cancellationToken);
            _output.ResetWrittenCount();
        }
    }

    /// <summary>Ends the answer: a held JSON answer or error goes out translated; a stream that ended without its closing events gets them.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_mode == Mode.Events && _translator is { Finished: false } translator)
        {
            if (_events?.Finish() is { } last)
            {
                Translate(last);
            }

            if (!translator.TryFinish(_output))
            {
                _output.Write("event: error\ndata: "u8);
                _output.Write(AnthropicErrorBody.Create(502, "The model's provider broke off the stream."));
                _output.Write("\n\n"u8);
            }

            await SendAsync(cancellationToken);
            return;
        }

        if (_mode != Mode.Held || _held is null)
        {
            return;
        }

        var body = _held.GetBuffer().AsSpan(0, (int)_held.Length);
        byte[] translated;
        if (response.StatusCode is >= 200 and < 300)
        {
            if (!OpenAiToAnthropicResponse.TryTranslate(body, out translated))
            {
                response.StatusCode = StatusCodes.Status502BadGateway;
                translated = AnthropicErrorBody.Create(502, "The model's provider sent an answer that is not a chat completion.");
            }
        }
        else
        {
            translated = IsAnthropicError(body) ? body.ToArray() : OpenAiToAnthropicResponse.Error(response.StatusCode, body);
        }

        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        await inner.WriteAsync(translated, cancellationToken);
    }

    private static bool IsAnthropicError(ReadOnlySpan<byte> body) => body.IndexOf("\"type\":\"error\""u8) >= 0;

    // Nothing reaches the caller before it is translated, so a flush of a held answer waits for the end.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _events?.Dispose();
            _held?.Dispose();
        }

        base.Dispose(disposing);
    }
}
