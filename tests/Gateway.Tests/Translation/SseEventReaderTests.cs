using System.Text;
using Gateway.Translation;

namespace Gateway.Tests.Translation;

public sealed class SseEventReaderTests
{
    [Fact]
    public void Events_are_cut_whatever_the_chunking_with_names_multi_line_data_and_comments()
    {
        var stream = Encoding.UTF8.GetBytes(": comment\r\nevent: message_start\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata: [DONE]\n\n");
        using var reader = new SseEventReader();
        var events = new List<SseEvent>();

        foreach (var b in stream)
        {
            events.AddRange(reader.Read([b]));
        }

        Assert.Equal(2, events.Count);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("{\"a\":\n1}", Encoding.UTF8.GetString(events[0].Data));
        Assert.Null(events[1].Name);
        Assert.True(events[1].IsDone);
    }

    [Fact]
    public void An_event_without_its_blank_line_is_finished_at_the_end()
    {
        using var reader = new SseEventReader();

        Assert.Empty(reader.Read("data: {}"u8));

        Assert.Equal("{}", Encoding.UTF8.GetString(reader.Finish()!.Value.Data));
    }
}
