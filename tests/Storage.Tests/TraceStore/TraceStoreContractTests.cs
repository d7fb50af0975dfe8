using System.Diagnostics;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;

namespace Storage.Tests.TraceStore;

/// <summary>
/// What the services may rely on from the trace store, whichever way it is reached: run against chDB in this
/// process and against chDB served by a second process over HTTP, through the same driver calls.
/// </summary>
public sealed class TraceStoreContractTests(EmbeddedTraceStore embedded, TraceStoreServerProcess server)
{
    private readonly TraceStoreBackends _backends = new(embedded, server);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task String_parameters_round_trip_every_character(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        string[] values = ["it's", "back\\slash\\", "new\nline", "tab\there", "carriage\rreturn", "emoji 🚀🧪", "nul\0byte", "{braces} and 'quotes' \"double\"", "%20+&=?", ""];

        foreach (var value in values)
        {
            var parameters = new ClickHouseParameterCollection();
            parameters.AddParameter("p", value);
            var echoed = await host.Store.Client.ExecuteScalarAsync("SELECT {p:String}", parameters, cancellationToken: Cancellation);
            Assert.Equal(value, echoed);
        }
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Bulk_insert_of_100k_rows_reads_back_exactly(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;
        await client.ExecuteNonQueryAsync("CREATE TABLE bulk (id UInt64, name String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id", cancellationToken: Cancellation);
        const int Rows = 100_000;
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, Rows).Select(i => new object[] { (ulong)i, $"row-{i}\t\n", start.AddMilliseconds(i) });

        var stopwatch = Stopwatch.StartNew();
        var written = await host.Store.InsertBinaryAsync("bulk", ["id", "name", "at"], rows, Cancellation);
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"{backend}: {Rows} rows in {stopwatch.ElapsedMilliseconds} ms = {Rows / stopwatch.Elapsed.TotalSeconds:F0} rows/s");

        Assert.Equal(Rows, written);
        using var reader = await client.ExecuteReaderAsync(
            "SELECT count(), sum(id), countIf(name = concat('row-', toString(id), '\\t\\n')), max(at) FROM bulk", cancellationToken: Cancellation);
        Assert.True(await reader.ReadAsync(Cancellation));
        Assert.Equal((ulong)Rows, await reader.GetFieldValueAsync<ulong>(0, Cancellation));
        Assert.Equal((ulong)Rows * (Rows - 1) / 2, await reader.GetFieldValueAsync<ulong>(1, Cancellation));
        Assert.Equal((ulong)Rows, await reader.GetFieldValueAsync<ulong>(2, Cancellation));
        Assert.Equal(start.AddMilliseconds(Rows - 1), reader.GetDateTime(3));
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Replacing_merge_tree_keeps_the_latest_version_through_final_and_limit_by(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;
        var now = DateTime.UtcNow;
        object[][] versions =
        [
            ["p1", "t1", "first", now, now.AddSeconds(1), (byte)0],
            ["p1", "t1", "second", now, now.AddSeconds(2), (byte)0],
            ["p1", "t2", "kept", now, now.AddSeconds(1), (byte)0],
            ["p1", "t3", "alive", now, now.AddSeconds(1), (byte)0],
            ["p1", "t3", "deleted", now, now.AddSeconds(2), (byte)1],
        ];

        // One insert per version: separate parts, as updates arriving over time produce.
        foreach (var version in versions)
        {
            await host.Store.InsertBinaryAsync("traces", ["project_id", "id", "name", "timestamp", "event_ts", "is_deleted"], [version], Cancellation);
        }

        var final = await NamesAsync(client, "SELECT id, name FROM traces FINAL WHERE project_id = 'p1' ORDER BY id");
        var limitBy = await NamesAsync(client, "SELECT id, name FROM traces WHERE project_id = 'p1' AND is_deleted = 0 ORDER BY event_ts DESC LIMIT 1 BY id, project_id");
        var limitByIncludingDeletes = await NamesAsync(client,
            "SELECT id, name FROM (SELECT id, name, is_deleted FROM traces WHERE project_id = 'p1' ORDER BY event_ts DESC LIMIT 1 BY id, project_id) WHERE is_deleted = 0");

        Assert.Equal(["t1=second", "t2=kept"], final);
        Assert.Equal(["t1=second", "t2=kept"], limitByIncludingDeletes.Order().ToArray());
        Assert.Contains("t1=second", limitBy);
        Assert.DoesNotContain("t1=first", limitBy);
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Map_array_datetime64_and_nullable_columns_round_trip(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var startTime = new DateTime(2026, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc);
        var metadata = new Dictionary<string, string> { ["env"] = "prod", ["quote"] = "it's \"x\"" };
        var usage = new Dictionary<string, ulong> { ["input"] = 10, ["output"] = 32 };
        var cost = new Dictionary<string, double> { ["total"] = 0.00125 };
        await host.Store.InsertBinaryAsync(
            "observations",
            ["project_id", "id", "trace_id", "type", "name", "start_time", "end_time", "metadata", "usage_details", "cost_details", "status_message", "event_ts"],
            [["p1", "o1", "t1", "GENERATION", "chat", startTime, null!, metadata, usage, cost, null!, startTime]],
            Cancellation);
        await host.Store.InsertBinaryAsync("traces", ["project_id", "id", "name", "timestamp", "tags", "user_id", "event_ts"],
            [["p1", "t1", "trace", startTime, new[] { "a", "b c", "" }, "user-1", startTime]], Cancellation);

        using var reader = await host.Store.Client.ExecuteReaderAsync(
            "SELECT o.start_time, o.end_time, o.metadata, o.usage_details, o.cost_details, o.status_message, t.tags, t.user_id, t.session_id " +
            "FROM observations AS o FINAL JOIN traces AS t FINAL ON t.id = o.trace_id WHERE o.id = 'o1'",
            cancellationToken: Cancellation);
        Assert.True(await reader.ReadAsync(Cancellation));

        Assert.Equal(startTime, reader.GetDateTime(0));
        Assert.True(await reader.IsDBNullAsync(1, Cancellation));
        Assert.Equal(metadata, ((IDictionary<string, string>)reader.GetValue(2)).ToDictionary());
        Assert.Equal(usage, ((IDictionary<string, ulong>)reader.GetValue(3)).ToDictionary());
        Assert.Equal(cost, ((IDictionary<string, double>)reader.GetValue(4)).ToDictionary());
        Assert.True(await reader.IsDBNullAsync(5, Cancellation));
        Assert.Equal(["a", "b c", ""], (string[])reader.GetValue(6));
        Assert.Equal("user-1", reader.GetString(7));
        Assert.True(await reader.IsDBNullAsync(8, Cancellation));
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Bad_sql_raises_the_server_exception_with_its_code_and_message(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;

        var syntax = await Assert.ThrowsAsync<ClickHouseServerException>(() => client.ExecuteScalarAsync("SELEC 1", cancellationToken: Cancellation));
        var unknownTable = await Assert.ThrowsAsync<ClickHouseServerException>(() => client.ExecuteScalarAsync("SELECT * FROM no_such_table", cancellationToken: Cancellation));

        Assert.Equal(62, syntax.ErrorCode);
        Assert.Contains("Syntax error", syntax.Message, StringComparison.Ordinal);
        Assert.StartsWith("Code: 62. DB::Exception:", syntax.Message, StringComparison.Ordinal);
        Assert.Equal(60, unknownTable.ErrorCode);
        Assert.Contains("no_such_table", unknownTable.Message, StringComparison.Ordinal);
        Assert.Equal(1, Convert.ToInt32(await client.ExecuteScalarAsync("SELECT 1", cancellationToken: Cancellation), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Results_after_a_statement_that_failed_mid_stream_are_exact(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;

        // These fail after chDB has produced output; without the throw-away SELECT 1 that output (megabytes of
        // rows) is prepended to the next result on the same connection.
        string[] failing =
        [
            "SELECT number, throwIf(number = 50000) FROM numbers(100000)",
            "SELECT number, throwIf(number = 5000000) FROM numbers(10000000)",
            "SELECT number FROM system.numbers SETTINGS max_execution_time = 0.3, timeout_overflow_mode = 'throw'",
        ];
        foreach (var statement in failing)
        {
            await Assert.ThrowsAsync<ClickHouseServerException>(() => client.ExecuteScalarAsync(statement, cancellationToken: Cancellation));

            // Sequential statements reuse the connection that just failed (the pool lends the most recently returned one).
            for (var i = 0; i < 3; i++)
            {
                using var reader = await client.ExecuteReaderAsync("SELECT 42 AS answer, 'exact' AS word", cancellationToken: Cancellation);
                Assert.True(await reader.ReadAsync(Cancellation));
                Assert.Equal((byte)42, reader.GetValue(0));
                Assert.Equal("exact", reader.GetString(1));
                Assert.False(await reader.ReadAsync(Cancellation));
            }
        }
    }

    private static async Task<List<string>> NamesAsync(ClickHouseClient client, string sql)
    {
        var names = new List<string>();
        using var reader = await client.ExecuteReaderAsync(sql, cancellationToken: Cancellation);
        while (await reader.ReadAsync(Cancellation))
        {
            names.Add($"{reader.GetString(0)}={reader.GetString(1)}");
        }

        return names;
    }
}
