using System.Text;
using System.Text.RegularExpressions;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// Recognises <c>INSERT INTO … FORMAT &lt;name&gt;</c> followed by a line break and data, the shape the driver's
/// bulk insert sends. Such data must go through chDB's streaming INSERT: appended to the statement text and
/// run as one query, RowBinary rows were silently cut short (2,570 of 100,000 stored, no error).
/// </summary>
internal static partial class InsertHead
{
    /// <summary>How far into a request the head is looked for; heads are one short line in practice.</summary>
    public const int SearchWindow = 64 * 1024;

    public static bool TryMatch(ReadOnlySpan<byte> text, out byte[] statement, out byte[] format, out int dataStart)
    {
        // Latin-1 maps each byte to one char, so match offsets are byte offsets into binary data too.
        var window = Encoding.Latin1.GetString(text[..Math.Min(text.Length, SearchWindow)]);
        var match = Head().Match(window);
        if (!match.Success)
        {
            statement = format = [];
            dataStart = 0;
            return false;
        }

        var statementGroup = match.Groups["statement"];
        statement = text.Slice(statementGroup.Index, statementGroup.Length).ToArray();
        format = Encoding.ASCII.GetBytes(match.Groups["format"].Value);
        dataStart = match.Index + match.Length;
        return true;
    }

    // The data starts after the first line break following the format name, as on a ClickHouse server.
    // NonBacktracking: linear in the window whatever it holds, so no match timeout is needed. A timeout is wall-clock
    // time, and on a busy machine (a GC pause, a descheduled thread) it failed ordinary inserts of the ingestion worker.
    [GeneratedRegex(@"\A\s*(?<statement>INSERT\s+INTO\s.*?)\s+FORMAT\s+(?<format>[A-Za-z0-9_]+)[ \t]*\r?\n", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Head();
}
