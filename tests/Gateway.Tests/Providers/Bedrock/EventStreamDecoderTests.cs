using System.Buffers.Binary;
using System.Text;
using Gateway.Providers.Bedrock.EventStream;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>The AWS event-stream framing, decoded from frames written by the test fake's own encoder.</summary>
public sealed class EventStreamDecoderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public void A_frame_decodes_to_its_headers_and_payload()
    {
        var frame = EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}""");

        Assert.True(EventStreamDecoder.TryDecode(frame, out var message, out var consumed, out _));

        Assert.Equal(frame.Length, consumed);
        Assert.Equal("event", message!.MessageType);
        Assert.Equal("contentBlockDelta", message.Kind);
        Assert.Equal("application/json", message.Header(":content-type"));
        Assert.Equal("""{"contentBlockIndex":0,"delta":{"text":"Hi"}}""", Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public void The_prelude_states_total_and_headers_lengths()
    {
        var frame = EventStreamEncoder.Encode([new(":message-type", "event")], "{}"u8);

        // 12 prelude + (1 + 13 + 1 + 2 + 5) header + 2 payload + 4 message CRC.
        Assert.Equal(40, BinaryPrimitives.ReadInt32BigEndian(frame));
        Assert.Equal(22, BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)));
    }

    [Fact]
    public void An_incomplete_frame_asks_for_the_rest_and_decodes_once_it_is_there()
    {
        var frame = EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""");

        Assert.False(EventStreamDecoder.TryDecode(frame.AsSpan(0, 5), out _, out _, out var needPrelude));
        Assert.Equal(EventStreamDecoder.PreludeLength, needPrelude);
        Assert.False(EventStreamDecoder.TryDecode(frame.AsSpan(0, frame.Length - 1), out _, out _, out var needAll));
        Assert.Equal(frame.Length, needAll);
        Assert.True(EventStreamDecoder.TryDecode(frame, out _, out _, out _));
    }

    [Fact]
    public void Two_frames_back_to_back_decode_one_at_a_time()
    {
        var first = EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""");
        var second = EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}""");
        byte[] both = [.. first, .. second];

        Assert.True(EventStreamDecoder.TryDecode(both, out var one, out var consumed, out _));
        Assert.True(EventStreamDecoder.TryDecode(both.AsSpan(consumed), out var two, out _, out _));

        Assert.Equal("messageStart", one!.Kind);
        Assert.Equal("messageStop", two!.Kind);
    }

    [Fact]
    public void A_corrupted_payload_fails_the_message_checksum()
    {
        var frame = EventStreamEncoder.Event("contentBlockDelta", """{"delta":{"text":"Hi"}}""");
        frame[^6] ^= 0x20;

        var error = Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.TryDecode(frame, out _, out _, out _));
        Assert.Contains("message checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_length_fails_the_prelude_checksum()
    {
        var frame = EventStreamEncoder.Event("contentBlockDelta", """{"delta":{"text":"Hi"}}""");
        frame[3] ^= 0x01;

        var error = Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.TryDecode(frame, out _, out _, out _));
        Assert.Contains("prelude checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exception_messages_name_their_exception_type()
    {
        var frame = EventStreamEncoder.Exception("throttlingException", "Too many requests");

        Assert.True(EventStreamDecoder.TryDecode(frame, out var message, out _, out _));

        Assert.Equal("exception", message!.MessageType);
        Assert.Equal("throttlingException", message.Kind);
    }

    [Fact]
    public async Task The_reader_reassembles_frames_split_across_reads_of_any_size()
    {
        var frames = Enumerable.Range(0, 50).Select(i => EventStreamEncoder.Event("contentBlockDelta", $$$"""{"delta":{"text":"word {{{i}}} {{{new string('x', i * 40)}}}"}}""")).ToList();
        var bytes = frames.SelectMany(f => f).ToArray();

        foreach (var readSize in new[] { 1, 3, 13, 64, 4096 })
        {
            using var reader = new EventStreamReader(new TrickleStream(bytes, readSize));
            var texts = new List<string>();
            while (await reader.ReadAsync(Cancellation) is { } message)
            {
                texts.Add(Encoding.UTF8.GetString(message.Payload.Span));
            }

            Assert.Equal(50, texts.Count);
            Assert.Contains("word 49 ", texts[^1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_reader_hands_out_a_message_before_the_stream_ends()
    {
        var pipe = new System.IO.Pipelines.Pipe();
        using var reader = new EventStreamReader(pipe.Reader.AsStream());
        await pipe.Writer.WriteAsync(EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""), Cancellation);

        var first = await reader.ReadAsync(Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        Assert.Equal("messageStart", first!.Kind);
        await pipe.Writer.CompleteAsync();
        Assert.Null(await reader.ReadAsync(Cancellation));
    }

    [Fact]
    public async Task A_stream_that_ends_inside_a_frame_is_an_error()
    {
        var frame = EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""");
        using var reader = new EventStreamReader(new MemoryStream(frame[..^3]));

        await Assert.ThrowsAsync<EventStreamFormatException>(async () => await reader.ReadAsync(Cancellation));
    }

    /// <summary>Hands out at most <c>readSize</c> bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] bytes, int readSize) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }
}
