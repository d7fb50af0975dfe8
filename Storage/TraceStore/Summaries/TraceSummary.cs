namespace Storage.TraceStore.Summaries;

/// <summary>The fields of a trace's latest row that its summary carries.</summary>
public sealed record SummaryTrace(string Id, DateTime Timestamp, string? UserId, string? SessionId, bool IsDeleted);

/// <summary>The fields of an observation's latest version that its trace's totals are made of.</summary>
public sealed record SummaryObservation(string Id, string TraceId, DateTime StartTime, DateTime? EndTime, IReadOnlyDictionary<string, ulong> UsageDetails, double? TotalCost, string Level, bool IsDeleted);

/// <summary>
/// One <c>trace_summaries</c> row computed in process: the same totals, over the same rows, as the SQL of
/// <see cref="TraceSummaryWriter"/> (times as the store keeps them, in whole milliseconds; UInt64 sums wrap as
/// ClickHouse's do). Only the cost may differ in its last bits, as a float sum taken in another order does.
/// </summary>
public sealed record TraceSummary(
    string TraceId,
    string ProjectId,
    DateTime Timestamp,
    string? UserId,
    string? SessionId,
    ulong Observations,
    long LatencyMs,
    ulong InputTokens,
    ulong OutputTokens,
    ulong Tokens,
    double Cost,
    byte LevelRank,
    bool IsDeleted)
{
    public static readonly string[] Columns =
        ["trace_id", "project_id", "timestamp", "user_id", "session_id", "observations", "latency_ms", "input_tokens", "output_tokens", "tokens", "cost", "level_rank", "computed_at", "is_deleted"];

    /// <summary>The summary of <paramref name="trace"/> over the live ones of its observations' latest versions.</summary>
    public static TraceSummary Of(string projectId, SummaryTrace trace, IEnumerable<SummaryObservation> observations)
    {
        ulong count = 0, input = 0, output = 0, tokens = 0;
        var cost = 0.0;
        byte levelRank = 0;
        var firstStart = long.MaxValue;
        var lastEnd = long.MinValue;
        foreach (var observation in observations)
        {
            if (observation.IsDeleted)
            {
                continue;
            }

            var observationInput = observation.UsageDetails.GetValueOrDefault("input");
            var observationOutput = observation.UsageDetails.GetValueOrDefault("output");
            unchecked
            {
                count++;
                input += observationInput;
                output += observationOutput;
                tokens += observation.UsageDetails.TryGetValue("total", out var total) ? total : observationInput + observationOutput;
            }

            cost += observation.TotalCost ?? 0;
            levelRank = Math.Max(levelRank, RankOf(observation.Level));
            firstStart = Math.Min(firstStart, StoredMilliseconds(observation.StartTime));
            lastEnd = Math.Max(lastEnd, StoredMilliseconds(observation.EndTime ?? observation.StartTime));
        }

        return new TraceSummary(
            trace.Id, projectId, trace.Timestamp, trace.UserId, trace.SessionId, count, count == 0 ? 0 : lastEnd - firstStart,
            input, output, tokens, cost, levelRank, trace.IsDeleted);
    }

    public object[] ToRow(DateTime computedAt) =>
    [
        TraceId, ProjectId, Timestamp, UserId!, SessionId!, Observations, LatencyMs, InputTokens, OutputTokens, Tokens, Cost, LevelRank, computedAt,
        (byte)(IsDeleted ? 1 : 0),
    ];

    private static byte RankOf(string level) => level switch
    {
        "ERROR" => 3,
        "WARNING" => 2,
        "DEFAULT" => 1,
        _ => 0,
    };

    /// <summary>A <c>DateTime64(3)</c> column keeps whole milliseconds; a time merged in process may carry more.</summary>
    private static long StoredMilliseconds(DateTime time) => (time - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
}
