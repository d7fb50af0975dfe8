using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.Compression;

namespace Storage.Tests.TraceStore;

/// <summary>The embedded store's HTTP interface, seen from a plain HTTP client and from the driver's options.</summary>
public sealed class ChdbHttpInterfaceTests(EmbeddedTraceStore embedded, TraceStoreServerProcess server)
{
    private readonly TraceStoreBackends _backends = new(embedded, server);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("lz4")]
    [InlineData("br")]
    [InlineData("none")]
    public async Task Insert_bodies_are_accepted_in_every_encoding_the_driver_sends(string encoding)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(TraceStoreBackends.OverHttp));
        var client = host.Store.Client;
        await client.ExecuteNonQueryAsync("CREATE TABLE t (id UInt32, s String) ENGINE = MergeTree ORDER BY id", cancellationToken: Cancellation);
        IClickHouseCompressor? compressor = encoding switch
        {
            "gzip" => GZipCompressor.Default,
            "zstd" => ZstdCompressor.Default,
            "lz4" => Lz4Compressor.Default,
            "br" => BrotliCompressor.Default,
            _ => null,
        };

        var rows = Enumerable.Range(0, 10_000).Select(i => new object[] { (uint)i, new string('x', i % 50) });
        await client.InsertBinaryAsync("t", ["id", "s"], rows, new InsertOptions { Compressor = compressor }, Cancellation);

        Assert.Equal(10_000UL, Convert.ToUInt64(await client.ExecuteScalarAsync("SELECT count() FROM t WHERE length(s) = id % 50", cancellationToken: Cancellation), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Responses_carry_what_a_server_sends()
    {
        using var http = new HttpClient { BaseAddress = server.Endpoint };

        using var ping = await http.GetAsync("/ping", Cancellation);
        using var ok = await http.PostAsync("/?query_id=contract-1&default_format=TabSeparated", new StringContent("SELECT 1"), Cancellation);
        using var bad = await http.PostAsync("/?query_id=contract-2", new StringContent("SELEC 1"), Cancellation);
        using var session = await http.PostAsync("/?session_id=s1", new StringContent("SELECT 1"), Cancellation);

        Assert.Equal("Ok.\n", await ping.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1\n", await ok.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal("contract-1", Assert.Single(ok.Headers.GetValues("X-ClickHouse-Query-Id")));
        Assert.Contains("\"result_rows\":\"1\"", Assert.Single(ok.Headers.GetValues("X-ClickHouse-Summary")), StringComparison.Ordinal);
        Assert.NotEmpty(Assert.Single(ok.Headers.GetValues("X-ClickHouse-Timezone")));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("62", Assert.Single(bad.Headers.GetValues("X-ClickHouse-Exception-Code")));
        Assert.Equal("contract-2", Assert.Single(bad.Headers.GetValues("X-ClickHouse-Query-Id")));
        Assert.StartsWith("Code: 62. DB::Exception: Syntax error", await bad.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotImplemented, session.StatusCode);
        Assert.Contains("session_id", await session.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_and_body_are_joined_and_gzip_bodies_are_read()
    {
        using var http = new HttpClient { BaseAddress = server.Endpoint };
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Compress, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("FROM numbers(3)"), Cancellation);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await http.PostAsync("/?query=SELECT%20sum(number)", content, Cancellation);

        Assert.Equal("3\n", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Settings_in_the_url_apply_to_that_request_only(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;
        const string Read = "SELECT getSetting('max_block_size')";

        var defaultValue = await client.ExecuteScalarAsync(Read, cancellationToken: Cancellation);
        var changed = await client.ExecuteScalarAsync(Read, options: new QueryOptions { CustomSettings = new Dictionary<string, object> { ["max_block_size"] = 1234 } }, cancellationToken: Cancellation);
        var afterwards = await client.ExecuteScalarAsync(Read, cancellationToken: Cancellation);

        Assert.Equal(1234UL, Convert.ToUInt64(changed, CultureInfo.InvariantCulture));
        Assert.Equal(defaultValue, afterwards);
        Assert.NotEqual(changed, afterwards);
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Select_1_round_trip_latency(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var client = host.Store.Client;
        var timings = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await client.ExecuteScalarAsync("SELECT 1", cancellationToken: Cancellation);
            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        var p50 = timings[timings.Count / 2];
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend}: SELECT 1 p50 {p50:F2} ms, p95 {timings[timings.Count * 95 / 100]:F2} ms"));
        Assert.True(p50 < 50, $"SELECT 1 p50 was {p50} ms");
    }
}
