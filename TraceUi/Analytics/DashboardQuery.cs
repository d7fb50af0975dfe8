using System.Data.Common;
using System.Globalization;
using Storage.TraceStore.Queries;

namespace TraceUi.Analytics;

/// <summary>One time bucket of one model's generations.</summary>
public sealed record ModelBucket(DateTime Bucket, string Model, double Cost, ulong InputTokens, ulong OutputTokens, long Calls, long Errors);

public sealed record ModelLatency(string Model, long Calls, double P50, double P95, double P99);

public sealed record TopSpender(string Id, long Traces, double Cost);

public sealed record Dashboard(
    TimeRange Range, int BucketSeconds, long Traces, IReadOnlyList<ModelBucket> Buckets, IReadOnlyList<ModelLatency> Latencies, IReadOnlyList<TopSpender> TopUsers)
{
    public double Cost => Buckets.Sum(b => b.Cost);
    public long Calls => Buckets.Sum(b => b.Calls);
    public long Errors => Buckets.Sum(b => b.Errors);
    public ulong Tokens => Buckets.Aggregate(0UL, (sum, b) => sum + b.InputTokens + b.OutputTokens);
}

/// <summary>
/// The dashboard's aggregations over a time range, run side by side on separate connections. Cost, tokens, calls and
/// latency come from <c>generations</c> (a narrow copy of the generation observations), spend by user from
/// <c>trace_summaries</c>; both are read with <c>FINAL</c>, bounded by project and time (their sort key's prefix).
/// </summary>
public sealed class DashboardQuery(TraceRowQueries rows)
{
    private const string NoModel = "(no model)";

    public async Task<Dashboard> RunAsync(string projectId, TimeRange range, CancellationToken cancellationToken)
    {
        var (bucketSeconds, _) = range.Bucket();
        var buckets = BucketsAsync(projectId, range, bucketSeconds, cancellationToken);
        var latencies = LatenciesAsync(projectId, range, cancellationToken);
        var topUsers = TopUsersAsync(projectId, range, cancellationToken);
        var traces = TraceCountAsync(projectId, range, cancellationToken);
        return new Dashboard(range, bucketSeconds, await traces, await buckets, await latencies, await topUsers);
    }

    private Task<List<ModelBucket>> BucketsAsync(string projectId, TimeRange range, int bucketSeconds, CancellationToken cancellationToken)
    {
        var where = range.Where(projectId, "start_time");
        return rows.ReadAsync(
            $"""
            SELECT toStartOfInterval(start_time, toIntervalSecond({bucketSeconds})) AS bucket, model, sum(cost),
                   sum(input_tokens), sum(output_tokens), count(), countIf(is_error = 1)
            FROM generations FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}
            GROUP BY bucket, model ORDER BY bucket, model
            """,
            where,
            reader => new ModelBucket(reader.GetDateTime(0), ModelName(reader, 1), Double(reader, 2), UInt(reader, 3), UInt(reader, 4), Long(reader, 5), Long(reader, 6)),
            cancellationToken);
    }

    private Task<List<ModelLatency>> LatenciesAsync(string projectId, TimeRange range, CancellationToken cancellationToken)
    {
        var where = range.Where(projectId, "start_time").Require("latency_ms IS NOT NULL");
        // bfloat16 quantiles: within about 1 % (8 significant bits), at a third of t-digest's cost on 5 M rows.
        return rows.ReadAsync(
            $"""
            SELECT model, count() AS calls, quantilesBFloat16(0.5, 0.95, 0.99)(assumeNotNull(latency_ms)) AS q
            FROM generations FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}
            GROUP BY model ORDER BY calls DESC, model LIMIT 20
            """,
            where,
            reader =>
            {
                var q = ((System.Collections.IEnumerable)reader.GetValue(2)).Cast<object>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
                return new ModelLatency(ModelName(reader, 0), Long(reader, 1), q[0] / 1000, q[1] / 1000, q[2] / 1000);
            },
            cancellationToken);
    }

    /// <summary>Spend by the trace's user: each trace's summary carries both, so no join of traces with observations.</summary>
    private Task<List<TopSpender>> TopUsersAsync(string projectId, TimeRange range, CancellationToken cancellationToken)
    {
        var where = range.Where(projectId).Require("user_id IS NOT NULL");
        return rows.ReadAsync(
            $"""
            SELECT assumeNotNull(user_id) AS user, count() AS traces, sum(cost) AS spend
            FROM trace_summaries FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}
            GROUP BY user ORDER BY spend DESC, user LIMIT 10
            """,
            where,
            reader => new TopSpender(reader.GetString(0), Long(reader, 1), Double(reader, 2)),
            cancellationToken);
    }

    private Task<long> TraceCountAsync(string projectId, TimeRange range, CancellationToken cancellationToken)
    {
        var where = range.Where(projectId);
        return rows.CountAsync($"SELECT count() FROM traces FINAL WHERE {where.FixedWhere} AND {where.LatestWhere}", where, cancellationToken);
    }

    /// <summary>Grouped by the stored model (LowCardinality, cheap to group by) and named here.</summary>
    private static string ModelName(DbDataReader reader, int ordinal) => reader.GetString(ordinal) is { Length: > 0 } model ? model : NoModel;

    private static double Double(DbDataReader reader, int ordinal) => Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static ulong UInt(DbDataReader reader, int ordinal) => Convert.ToUInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
