using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace TraceIngest.Tests.Worker;

/// <summary>
/// The distributed shape: the API in this process, the worker as its own process, sharing PostgreSQL, Redis, a
/// blob directory and a ClickHouse interface (chDB served by a second process). The worker is killed with SIGKILL
/// in the middle of its work and restarted.
/// </summary>
public sealed class WorkerCrashTests(PostgresServer postgres, RedisServer redis, TraceStoreServerProcess clickHouseServer) : IClassFixture<TraceStoreServerProcess>, IAsyncLifetime
{
    private const int Requests = 300;
    private const int EventsPerRequest = 10;
    private static readonly string TraceIngestAssembly = typeof(WorkerCrashTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TraceIngestAssembly").Value!;

    private readonly TemporaryDirectory _blobs = new("crash-blobs-");
    private readonly string _database = EmbeddedTraceStore.NewDatabaseName("crash");
    private readonly string _stream = $"ingestion-{Guid.NewGuid():N}";
    private Dictionary<string, string?> _shared = null!;
    private readonly TraceStoreServerProcess _clickHouse = clickHouseServer;

    public async ValueTask InitializeAsync()
    {
        _shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("crash"),
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Storage:DataDirectory"] = _blobs.Path,
            ["Ingestion:QueueStream"] = _stream,
            ["Queue:VisibilityTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in TraceIngestHost.Project("crash", "pk-lf-crash", "sk-lf-crash-0123456789"))
        {
            _shared[key] = value;
        }
    }

    public ValueTask DisposeAsync()
    {
        _blobs.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Killing_the_worker_mid_batch_loses_nothing_and_duplicates_nothing()
    {
        var api = new Dictionary<string, string?>(_shared) { ["TraceIngest:Roles"] = "api" };
        foreach (var (key, value) in _clickHouse.Settings(_database))
        {
            api[key] = value;
        }

        await using var host = await TraceIngestHost.StartAsync(api);
        var client = new IngestionClient(host, "pk-lf-crash", "sk-lf-crash-0123456789");
        for (var request = 0; request < Requests; request++)
        {
            var events = Enumerable.Range(0, EventsPerRequest)
                .Select(i => (JsonNode)IngestionClient.Event("trace-create", new JsonObject { ["id"] = $"t-{request}-{i}", ["name"] = "crash-test" }))
                .ToArray();
            Assert.Equal(HttpStatusCode.MultiStatus, (await client.PostBatchAsync(events)).StatusCode);
        }

        using var clickHouse = new ClickHouseClient(new ClickHouseConnectionStringBuilder { Host = _clickHouse.Endpoint.Host, Port = (ushort)_clickHouse.Endpoint.Port, Database = _database }.ConnectionString);
        async Task<(long Rows, long Distinct)> CountAsync()
        {
            using var reader = await clickHouse.ExecuteReaderAsync("SELECT count(), uniqExact(id) FROM traces FINAL WHERE project_id = 'crash'", cancellationToken: TestContext.Current.CancellationToken);
            await reader.ReadAsync(TestContext.Current.CancellationToken);
            return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
        }

        var worker = StartWorker();
        long beforeKill;
        await using (worker)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((beforeKill = (await CountAsync()).Rows) == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            worker.Kill();
        }

        await using var restarted = StartWorker();
        var (rows, distinct) = (0L, 0L);
        // Waits while the restarted worker makes progress: on a loaded machine its 300 one-batch rounds can take
        // minutes, but a worker that stalls (lost or stuck deliveries) stops adding rows.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (rows < Requests * EventsPerRequest && DateTime.UtcNow < until)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            var before = rows;
            (rows, distinct) = await CountAsync();
            if (rows > before)
            {
                until = DateTime.UtcNow.AddSeconds(60);
            }
        }

        Assert.InRange(beforeKill, 1, Requests * EventsPerRequest - 1);
        Assert.Equal(Requests * EventsPerRequest, rows);
        Assert.Equal(rows, distinct);
    }

    private ExternalProcess StartWorker()
    {
        var arguments = new List<string> { TraceIngestAssembly, "--urls", $"http://127.0.0.1:{FreeTcpPort.Next()}" };
        var settings = new Dictionary<string, string?>(_shared)
        {
            ["TraceIngest:Roles"] = "worker",
            ["Ingestion:Worker:MaxBatchesPerRound"] = "1",
            ["Ingestion:Worker:ReceiveWait"] = "00:00:00.100",
        };
        foreach (var (key, value) in _clickHouse.Settings(_database))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            arguments.AddRange([$"--{key}", value!]);
        }

        return ExternalProcess.Start("dotnet", arguments, new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["ASPNETCORE_ENVIRONMENT"] = "Production" }, Path.GetDirectoryName(TraceIngestAssembly));
    }
}
