using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Queries;

/// <summary>Two projects on one store; each key sees only its own project through every read endpoint.</summary>
public sealed class PublicReadApiTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private TestWebHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = TraceIngestHost.Project("alpha", "pk-lf-alpha", "sk-lf-alpha-0123456789");
        settings["Storage:DataDirectory"] = _data.Path;
        _host = await TraceIngestHost.StartAsync(settings);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Storage.Relational.PlatformDbContext>();
            db.Projects.Add(new Storage.Relational.Entities.Project { Id = "beta", OrganizationId = "org", Name = "Beta", CreatedAt = DateTime.UtcNow });
            db.ProjectApiKeys.Add(Storage.Relational.Entities.ProjectApiKey.Issue("beta", "pk-lf-beta", "sk-lf-beta-0123456789", null, DateTime.UtcNow));
            await db.SaveChangesAsync();
        }

        // Rows written the way the worker writes them, without waiting for it.
        var processor = new IngestionEventMerger(Storage.Pricing.ModelPriceTable.LoadDefaults());
        var rows = _host.Services.GetRequiredService<TraceRowStore>();
        var now = DateTime.UtcNow;
        var traces = new List<TraceRow>();
        var observations = new List<ObservationRow>();
        for (var i = 0; i < 7; i++)
        {
            traces.Add(processor.MergeTrace(null, "alpha", $"a-{i}", [Event("trace-create", $$"""{"name":"{{(i % 2 == 0 ? "even" : "odd")}}","userId":"u-{{i % 3}}","sessionId":"s-{{i % 2}}","tags":["t{{i % 2}}"],"timestamp":"2026-11-{{10 + i}}T10:00:00Z"}""")], now));
            observations.Add(processor.MergeObservation(null, "alpha", $"a-{i}-gen", [Event("generation-create", $$"""{"traceId":"a-{{i}}","model":"gpt-4o","usageDetails":{"input":1000,"output":100},"startTime":"2026-11-{{10 + i}}T10:00:00Z","endTime":"2026-11-{{10 + i}}T10:00:02Z"}""")], [], now));
        }

        traces.Add(processor.MergeTrace(null, "beta", "b-0", [Event("trace-create", """{"name":"secret","userId":"u-0","sessionId":"s-beta"}""")], now));
        observations.Add(processor.MergeObservation(null, "beta", "b-0-gen", [Event("generation-create", """{"traceId":"b-0","model":"gpt-4o"}""")], [], now));
        var scores = new List<ScoreRow> { IngestionEventMerger.MergeScore(null, "beta", "b-score", [Event("score-create", """{"name":"q","value":1,"traceId":"b-0"}""")], now) };
        await rows.WriteAsync(traces, observations, scores, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private static StoredEvent Event(string type, string body) =>
        new(Guid.NewGuid().ToString(), IngestionEventType.Find(type)!, DateTimeOffset.UtcNow, "x", JsonDocument.Parse(body).RootElement.Clone());

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string project = "alpha", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"pk-lf-{project}:sk-lf-{project}-0123456789")));
        var response = await _host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    [Fact]
    public async Task Trace_list_filters_orders_and_pages_with_meta()
    {
        var (status, page1) = await GetAsync("/api/public/traces?limit=3&page=1&orderBy=timestamp.asc");
        var (_, page3) = await GetAsync("/api/public/traces?limit=3&page=3&orderBy=timestamp.asc");
        var (_, even) = await GetAsync("/api/public/traces?name=even&tags=t0");
        var (_, user) = await GetAsync("/api/public/traces?userId=u-1&fromTimestamp=2026-11-12T00:00:00Z");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["a-0", "a-1", "a-2"], page1.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal((1, 3, 7, 3), (page1.GetProperty("meta").GetProperty("page").GetInt32(), page1.GetProperty("meta").GetProperty("limit").GetInt32(), page1.GetProperty("meta").GetProperty("totalItems").GetInt32(), page1.GetProperty("meta").GetProperty("totalPages").GetInt32()));
        Assert.Equal(["a-6"], page3.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(4, even.GetProperty("meta").GetProperty("totalItems").GetInt32());
        Assert.Equal(["a-4"], user.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var first = page1.GetProperty("data")[0];
        Assert.Equal(2.0, first.GetProperty("latency").GetDouble(), 3);
        Assert.Equal((1000 * 2.5 + 100 * 10.0) / 1e6, first.GetProperty("totalCost").GetDouble(), 12);
        Assert.Equal("a-0-gen", first.GetProperty("observations")[0].GetString());
    }

    [Theory]
    [InlineData("/api/public/traces?limit=0")]
    [InlineData("/api/public/traces?limit=101")]
    [InlineData("/api/public/traces?page=0")]
    [InlineData("/api/public/traces?page=abc")]
    [InlineData("/api/public/traces?orderBy=password.desc")]
    [InlineData("/api/public/traces?orderBy=timestamp;DROP")]
    [InlineData("/api/public/traces?fromTimestamp=yesterday")]
    [InlineData("/api/public/observations?toStartTime=soon")]
    public async Task Bad_query_parameters_get_a_400_with_a_message(string path)
    {
        var (status, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    public static TheoryData<string> AlphaOnlyPaths => new()
    {
        "/api/public/traces/a-1", "/api/public/observations/a-1-gen",
    };

    [Theory]
    [MemberData(nameof(AlphaOnlyPaths))]
    public async Task Another_projects_key_cannot_read_a_trace_or_observation_by_id(string path)
    {
        var (asAlpha, _) = await GetAsync(path, "alpha");
        var (asBeta, body) = await GetAsync(path, "beta");

        Assert.Equal(HttpStatusCode.OK, asAlpha);
        Assert.Equal(HttpStatusCode.NotFound, asBeta);
        Assert.Equal("LangfuseNotFoundError", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/api/public/traces", "b-0")]
    [InlineData("/api/public/observations", "b-0-gen")]
    [InlineData("/api/public/scores", "b-score")]
    [InlineData("/api/public/v2/scores", "b-score")]
    [InlineData("/api/public/sessions", "s-beta")]
    public async Task Every_list_shows_only_the_callers_project(string path, string betaItem)
    {
        var (_, asAlpha) = await GetAsync(path, "alpha");
        var (_, asBeta) = await GetAsync(path, "beta");

        Assert.DoesNotContain(asAlpha.GetProperty("data").EnumerateArray(), item => item.GetProperty("id").GetString() == betaItem);
        Assert.Contains(asBeta.GetProperty("data").EnumerateArray(), item => item.GetProperty("id").GetString() == betaItem);
    }

    [Fact]
    public async Task Sessions_and_daily_metrics_aggregate_only_the_callers_traces()
    {
        var (_, session) = await GetAsync("/api/public/sessions/s-0");
        var (betaReadsAlpha, _) = await GetAsync("/api/public/sessions/s-0", "beta");
        var (_, betaSession) = await GetAsync("/api/public/sessions/s-beta", "beta");
        var (_, metrics) = await GetAsync("/api/public/metrics/daily?limit=100");

        Assert.Equal(4, session.GetProperty("traces").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, betaReadsAlpha);
        Assert.Equal(["b-0"], betaSession.GetProperty("traces").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var days = metrics.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(7, days.Count);
        Assert.All(days, day => Assert.Equal(1, day.GetProperty("countTraces").GetInt32()));
        Assert.All(days, day => Assert.Equal("gpt-4o", day.GetProperty("usage")[0].GetProperty("model").GetString()));
        Assert.Equal(1000, days[0].GetProperty("usage")[0].GetProperty("inputUsage").GetInt32());
    }

    [Fact]
    public async Task Deleting_a_trace_hides_it_and_its_observations_and_only_its_owner_may()
    {
        var (byBeta, _) = await GetAsync("/api/public/traces/a-2", "beta", HttpMethod.Delete);
        var (deleted, message) = await GetAsync("/api/public/traces/a-2", "alpha", HttpMethod.Delete);
        var (afterwards, _) = await GetAsync("/api/public/traces/a-2");
        var (observation, _) = await GetAsync("/api/public/observations/a-2-gen");
        var (_, list) = await GetAsync("/api/public/traces?limit=100");

        Assert.Equal(HttpStatusCode.NotFound, byBeta);
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Contains("deleted", message.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, afterwards);
        Assert.Equal(HttpStatusCode.NotFound, observation);
        Assert.Equal(6, list.GetProperty("meta").GetProperty("totalItems").GetInt32());
    }

    [Fact]
    public async Task Reads_without_credentials_are_refused()
    {
        var response = await _host.Client.GetAsync("/api/public/traces", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
