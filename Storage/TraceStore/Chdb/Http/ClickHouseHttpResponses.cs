using System.Globalization;
using System.Net;
using System.Text;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>The responses a ClickHouse server gives, with the headers ClickHouse.Driver reads from them.</summary>
internal static class ClickHouseHttpResponses
{
    public static HttpResponseMessage Ok(HttpRequestMessage request) => new(HttpStatusCode.OK)
    {
        RequestMessage = request,
        Content = new StringContent("Ok.\n", Encoding.UTF8, "text/plain"),
    };

    public static HttpResponseMessage Result(HttpRequestMessage request, ChdbResult result, string format, string queryId, string timezone)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new ChdbResultContent(result, format),
        };
        response.Headers.TryAddWithoutValidation("X-ClickHouse-Query-Id", queryId);
        response.Headers.TryAddWithoutValidation("X-ClickHouse-Timezone", timezone);
        response.Headers.TryAddWithoutValidation("X-ClickHouse-Summary", Summary(result));
        return response;
    }

    /// <summary>The error as a server reports it: <c>Code: N. DB::Exception: …</c>, the code in a header too.</summary>
    public static HttpResponseMessage Error(HttpRequestMessage request, ChdbException error, string queryId)
    {
        var response = new HttpResponseMessage(StatusFor(error.Code))
        {
            RequestMessage = request,
            Content = new StringContent(error.Message.EndsWith('\n') ? error.Message : error.Message + "\n", Encoding.UTF8, "text/plain"),
        };
        response.Headers.TryAddWithoutValidation("X-ClickHouse-Query-Id", queryId);
        response.Headers.TryAddWithoutValidation("X-ClickHouse-Exception-Code", error.Code.ToString(CultureInfo.InvariantCulture));
        return response;
    }

    private static string Summary(ChdbResult result) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"read_rows\":\"{result.ReadRows}\",\"read_bytes\":\"{result.ReadBytes}\",\"written_rows\":\"{result.WrittenRows}\",\"written_bytes\":\"{result.WrittenBytes}\",\"total_rows_to_read\":\"{result.ReadRows}\",\"result_rows\":\"{result.ResultRows}\",\"result_bytes\":\"{result.ResultBytes}\",\"elapsed_ns\":\"{(long)(result.Elapsed.TotalMilliseconds * 1_000_000)}\"}}");

    // The statuses a server answers the common error codes with (HTTPHandler); anything else is a 500.
    private static HttpStatusCode StatusFor(int code) => code switch
    {
        // CANNOT_PARSE_*, SYNTAX_ERROR, TYPE_MISMATCH, ILLEGAL_TYPE_OF_ARGUMENT, INCORRECT_DATA, BAD_ARGUMENTS …
        6 or 25 or 26 or 27 or 32 or 33 or 38 or 41 or 43 or 53 or 62 or 69 or 72 or 117 or 36 => HttpStatusCode.BadRequest,
        // UNKNOWN_IDENTIFIER, UNKNOWN_FUNCTION, UNKNOWN_TYPE, UNKNOWN_TABLE, UNKNOWN_FORMAT, UNKNOWN_DATABASE, UNKNOWN_SETTING …
        46 or 47 or 50 or 60 or 63 or 73 or 81 or 115 => HttpStatusCode.NotFound,
        ChdbException.NotImplemented => HttpStatusCode.NotImplemented,
        _ => HttpStatusCode.InternalServerError,
    };
}
