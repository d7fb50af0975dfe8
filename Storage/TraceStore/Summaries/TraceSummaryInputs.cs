using System.Data.Common;
using System.Globalization;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Storage.TraceStore.Queries;

namespace Storage.TraceStore.Summaries;

/// <summary>
/// What a writer that computes summaries in process reads and writes: the server's clock (the version), the latest
/// trace rows and observation versions a summary is made of, and the summaries themselves in one bulk insert.
/// </summary>
public sealed class TraceSummaryInputs(ClickHouseTraceStore store)
{
    /// <summary>The server's <c>now64(6)</c>, the clock a recompute stamps its summaries with.</summary>
    public async Task<DateTime> ServerClockAsync(CancellationToken cancellationToken) =>
        Convert.ToDateTime(await store.Client.ExecuteScalarAsync("SELECT now64(6, 'UTC')", cancellationToken: cancellationToken), CultureInfo.InvariantCulture);

    /// <summary>The latest version of each of the given traces that has a row.</summary>
    public async Task<Dictionary<string, SummaryTrace>> ReadTracesAsync(string projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        var traces = new Dictionary<string, SummaryTrace>(StringComparer.Ordinal);
        await ReadAsync(
            "SELECT id, timestamp, user_id, session_id, is_deleted FROM traces WHERE project_id = {project:String} AND id IN {ids:Array(String)} " +
            "ORDER BY event_ts DESC LIMIT 1 BY id",
            projectId, traceIds, reader => traces[reader.GetString(0)] = ReadTrace(reader), cancellationToken);
        return traces;
    }

    /// <summary>The latest version of every observation of the given traces, deleted ones included.</summary>
    public async Task<List<SummaryObservation>> ReadObservationsAsync(string projectId, IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        var observations = new List<SummaryObservation>();
        await ReadAsync(
            "SELECT id, trace_id, start_time, end_time, usage_details, total_cost, level, is_deleted FROM observations " +
            "WHERE project_id = {project:String} AND trace_id IN {ids:Array(String)} ORDER BY event_ts DESC LIMIT 1 BY id",
            projectId, traceIds, reader => observations.Add(ReadObservation(reader)), cancellationToken);
        return observations;
    }

    public async Task WriteAsync(IReadOnlyCollection<TraceSummary> summaries, DateTime computedAt, CancellationToken cancellationToken)
    {
        if (summaries.Count > 0)
        {
            await store.InsertBinaryAsync("trace_summaries", TraceSummary.Columns, summaries.Select(s => s.ToRow(computedAt)), cancellationToken);
        }
    }

    private async Task ReadAsync(string sql, string projectId, IReadOnlyCollection<string> traceIds, Action<DbDataReader> readRow, CancellationToken cancellationToken)
    {
        foreach (var chunk in IdParameterChunks.Of(traceIds))
        {
            var parameters = new ClickHouseParameterCollection();
            parameters.AddParameter("project", projectId);
            parameters.AddParameter("ids", chunk);
            using var reader = await store.Client.ExecuteReaderAsync(sql, parameters, cancellationToken: cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                readRow(reader);
            }
        }
    }

    private static SummaryTrace ReadTrace(DbDataReader reader) => new(
        reader.GetString(0), reader.GetDateTime(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        Convert.ToByte(reader.GetValue(4), CultureInfo.InvariantCulture) != 0);

    private static SummaryObservation ReadObservation(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.IsDBNull(3) ? null : reader.GetDateTime(3),
        Usage(reader.GetValue(4)), reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.GetString(6),
        Convert.ToByte(reader.GetValue(7), CultureInfo.InvariantCulture) != 0);

    private static IReadOnlyDictionary<string, ulong> Usage(object value) =>
        value as IReadOnlyDictionary<string, ulong> ?? ((IDictionary<string, ulong>)value).ToDictionary(StringComparer.Ordinal);
}
