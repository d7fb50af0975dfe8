using System.Diagnostics;
using System.Text;
using Storage.TraceStore.Chdb.Http;

namespace Storage.Tests.TraceStore;

/// <summary>Finding the driver's <c>INSERT … FORMAT</c> head in front of the data it streams.</summary>
public sealed class InsertHeadTests
{
    [Fact]
    public void The_head_and_the_start_of_the_data_are_found_across_line_breaks()
    {
        var request = Encoding.Latin1.GetBytes("  INSERT INTO traces (id, name)\n FORMAT RowBinary \r\n\u0001\u0000\n\u00ff");

        Assert.True(InsertHead.TryMatch(request, out var statement, out var format, out var dataStart));
        Assert.Equal("INSERT INTO traces (id, name)", Encoding.Latin1.GetString(statement));
        Assert.Equal("RowBinary", Encoding.ASCII.GetString(format));
        Assert.Equal("\u0001\u0000\n\u00ff", Encoding.Latin1.GetString(request.AsSpan(dataStart)));
    }

    [Fact]
    public void A_query_that_is_no_insert_with_data_is_not_taken_for_one()
    {
        Assert.False(InsertHead.TryMatch("SELECT 1 FORMAT TabSeparated\n"u8, out _, out _, out _));
        Assert.False(InsertHead.TryMatch("INSERT INTO t VALUES (1)"u8, out _, out _, out _));
    }

    [Fact]
    public void A_whole_window_of_whitespace_is_decided_at_once_and_never_by_a_timeout()
    {
        // Quadratic for a backtracking engine: it timed out after its second of wall-clock time, a limit that a busy
        // machine also reached on one-line heads and that then failed the ingestion worker's inserts.
        var request = Encoding.ASCII.GetBytes("INSERT INTO t " + new string(' ', InsertHead.SearchWindow));
        var clock = Stopwatch.StartNew();

        var matched = InsertHead.TryMatch(request, out _, out _, out _);

        Assert.False(matched);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}
