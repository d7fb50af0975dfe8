using System.Text;
using Gateway.Usage;

namespace Gateway.Tests.Usage;

public sealed class SseUsageObserverTests
{
    private static readonly byte[] Stream = Encoding.UTF8.GetBytes(
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n" +
        $"data: {{\"choices\":[{{\"delta\":{{\"content\":\"{new string('x', 70_000)}\"}}}}]}}\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\r\n\r\n" +
        "data: [DONE]\n\n");

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1_000_000)]
    public void Finds_the_usage_however_the_stream_is_split(int readSize)
    {
        using var observer = new SseUsageObserver();

        for (var offset = 0; offset < Stream.Length; offset += readSize)
        {
            observer.Observe(Stream.AsSpan(offset, Math.Min(readSize, Stream.Length - offset)));
        }

        Assert.Equal(new TokenUsage(12, 34, 46), observer.Usage);
    }

    [Fact]
    public void A_stream_without_usage_has_none()
    {
        using var observer = new SseUsageObserver();

        observer.Observe("data: {\"choices\":[{\"delta\":{\"content\":\"usage\"}}]}\n\ndata: [DONE]\n\n"u8);

        Assert.Null(observer.Usage);
    }
}
