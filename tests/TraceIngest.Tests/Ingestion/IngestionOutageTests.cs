using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storage.Blobs;

namespace TraceIngest.Tests.Ingestion;

/// <summary>Redis and S3 of their own, stopped mid-test: the shared servers serve other tests in parallel.</summary>
public sealed class IngestionOutageTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string PublicKey = "pk-lf-outage";
    private const string SecretKey = "sk-lf-outage-secret-0123456789";
    private readonly RedisServer _redis = new();
    private readonly S3Server _s3 = new();
    private TestWebHost _host = null!;
    private IngestionClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(_redis.InitializeAsync().AsTask(), _s3.InitializeAsync().AsTask());
        var settings = _s3.Settings("events");
        foreach (var (key, value) in TraceIngestHost.Project("p", PublicKey, SecretKey))
        {
            settings[key] = value;
        }

        settings["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("outage");
        settings["ConnectionStrings:redis"] = _redis.ConnectionString;
        _host = await TraceIngestHost.StartAsync(settings);
        _client = new IngestionClient(_host, PublicKey, SecretKey);
    }

    private Task<HttpResponseMessage> PostOneTraceAsync() =>
        _client.PostBatchAsync(IngestionClient.Event("trace-create", new JsonObject { ["id"] = Guid.NewGuid().ToString() }));

    private async Task<int> StoredObjectsAsync() =>
        (await _host.Services.GetRequiredService<IBlobStore>().ListAsync("ingestion/", TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Count;

    [Fact]
    public async Task Blob_store_down_answers_503_and_queues_nothing()
    {
        await _s3.StopAsync();
        var response = await PostOneTraceAsync();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await _s3.StartAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("blob store unavailable", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _client.DrainQueueAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(0, await StoredObjectsAsync());
        Assert.Equal(HttpStatusCode.MultiStatus, (await PostOneTraceAsync()).StatusCode);
    }

    [Fact]
    public async Task Queue_down_answers_503_and_leaves_no_stored_batch_behind()
    {
        await _redis.StopAsync();
        var response = await PostOneTraceAsync();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var leftBehind = await StoredObjectsAsync();
        await _redis.StartAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("queue store unavailable", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, leftBehind);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _redis.DisposeAsync();
        await _s3.DisposeAsync();
    }
}
