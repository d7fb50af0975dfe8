using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceIngest.Tests.Ingestion;

public sealed class IngestionApiTests() : IngestServiceTest("ingest")
{
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Ingestion:MaxRequestBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Trace(string id) => IngestionClient.Event("trace-create", new JsonObject
    {
        ["id"] = id, ["name"] = "checkout", ["userId"] = "u-1", ["sessionId"] = "s-1", ["tags"] = new JsonArray("prod"),
        ["input"] = new JsonObject { ["question"] = "why?" }, ["metadata"] = new JsonObject { ["region"] = "eu" },
    });

    private static JsonObject Generation(string id, string traceId) => IngestionClient.Event("generation-create", new JsonObject
    {
        ["id"] = id, ["traceId"] = traceId, ["name"] = "llm", ["model"] = "gpt-4o-mini",
        ["startTime"] = "2026-11-23T10:00:00.000Z", ["endTime"] = "2026-11-23T10:00:01.250Z",
        ["usageDetails"] = new JsonObject { ["input"] = 12, ["output"] = 30 },
        ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
    });

    [Fact]
    public async Task A_valid_batch_is_stored_as_one_object_and_one_queued_reference_before_the_207()
    {
        var trace = Trace("t-1");
        var generation = Generation("g-1", "t-1");
        var update = IngestionClient.Event("generation-update", new JsonObject { ["id"] = "g-1", ["output"] = "hello" });
        var score = IngestionClient.Event("score-create", new JsonObject { ["name"] = "quality", ["value"] = 0.9, ["traceId"] = "t-1" });

        var response = await Client.PostBatchAsync(trace, generation, update, score);
        using var body = await IngestionClient.ReadJsonAsync(response);
        var reference = Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));
        using var stored = await Client.ReadBatchAsync(reference.BlobKey);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(4, body.RootElement.GetProperty("successes").GetArrayLength());
        Assert.All(body.RootElement.GetProperty("successes").EnumerateArray(), s => Assert.Equal(201, s.GetProperty("status").GetInt32()));
        Assert.Equal(0, body.RootElement.GetProperty("errors").GetArrayLength());
        Assert.Equal((ProjectId, 4), (reference.ProjectId, reference.EventCount));
        var events = stored.RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["trace-create", "generation-create", "generation-update", "score-create"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("t-1", events[0].GetProperty("entityId").GetString());
        Assert.Equal("why?", events[0].GetProperty("body").GetProperty("input").GetProperty("question").GetString());
        Assert.False(string.IsNullOrEmpty(events[3].GetProperty("entityId").GetString()));
    }

    [Fact]
    public async Task One_invalid_event_is_refused_alone_and_the_others_are_stored()
    {
        var bad = IngestionClient.Event("generation-create", new JsonObject { ["id"] = "g-bad", ["startTime"] = "yesterday" }, id: "bad-event");

        var response = await Client.PostBatchAsync(Trace("t-2"), bad, Generation("g-2", "t-2"));
        using var body = await IngestionClient.ReadJsonAsync(response);
        var reference = Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(2, body.RootElement.GetProperty("successes").GetArrayLength());
        var error = Assert.Single(body.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("bad-event", error.GetProperty("id").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("Invalid request data", error.GetProperty("message").GetString());
        Assert.Contains("body.startTime", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, reference.EventCount);
    }

    public static TheoryData<string, string> InvalidEvents => new()
    {
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"span-create","body":{"name":"no id"}}""", "body.id" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00","type":"trace-create","body":{}}""", "timestamp" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"teleport-create","body":{}}""", "type 'teleport-create'" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"trace-create","body":[1,2]}""", "body must be an object" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"trace-create","body":{"tags":"prod"}}""", "body.tags" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"trace-create","body":{"name":42}}""", "body.name" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"span-create","body":{"id":"s","level":"LOUD"}}""", "body.level" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"generation-create","body":{"id":"g","usageDetails":{"input":-3}}}""", "body.usageDetails.input" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"generation-create","body":{"id":"g","promptName":"p"}}""", "promptVersion" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"observation-create","body":{"id":"o","type":"WIDGET"}}""", "body.type" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"score-create","body":{"name":"q","value":1}}""", "traceId" },
        { """{"id":"e","timestamp":"2026-11-23T10:00:00Z","type":"score-create","body":{"name":"q","value":[1],"traceId":"t"}}""", "body.value" },
        { """{"timestamp":"2026-11-23T10:00:00Z","type":"trace-create","body":{}}""", "id must be" },
        { """{"id":"a\rb","timestamp":"2026-11-23T10:00:00Z","type":"trace-create","body":{}}""", "carriage" },
        { """["not","an","object"]""", "must be an object" },
        { "42", "must be an object" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Each_kind_of_invalid_event_gets_a_400_naming_its_problem(string invalidEvent, string expected)
    {
        var content = new StringContent($$"""{"batch":[{{invalidEvent}}, {{Trace("t-ok").ToJsonString()}}]}""", Encoding.UTF8, "application/json");

        var response = await Client.PostAsync("/api/public/ingestion", content);
        using var body = await IngestionClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var error = Assert.Single(body.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Contains(expected, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(body.RootElement.GetProperty("successes").EnumerateArray());
        Assert.Equal(1, Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1))).EventCount);
    }

    [Fact]
    public async Task Sdk_log_events_are_acknowledged_but_not_stored()
    {
        var log = IngestionClient.Event("sdk-log", new JsonObject { ["log"] = "flush failed" });

        var response = await Client.PostBatchAsync(log);
        using var body = await IngestionClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Single(body.RootElement.GetProperty("successes").EnumerateArray());
        Assert.Empty(await Client.DrainQueueAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Ten_thousand_events_in_one_batch_are_all_accepted()
    {
        var events = Enumerable.Range(0, 10_000).Select(i => (JsonNode)IngestionClient.Event("span-create", new JsonObject { ["id"] = $"s-{i}", ["traceId"] = "t-big" })).ToArray();

        var response = await Client.PostBatchAsync(events);
        using var body = await IngestionClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(10_000, body.RootElement.GetProperty("successes").GetArrayLength());
        Assert.Equal(10_000, Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1))).EventCount);
    }

    [Fact]
    public async Task A_gzip_encoded_batch_is_accepted()
    {
        var json = Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = new JsonArray(Trace("t-gz")) }.ToJsonString());
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(json, TestContext.Current.CancellationToken);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await Client.PostAsync("/api/public/ingestion", content);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));
    }

    public static TheoryData<string, byte[], string?, HttpStatusCode> MalformedRequests => new()
    {
        { "not json", Encoding.UTF8.GetBytes("{batch: nope"), "application/json", HttpStatusCode.BadRequest },
        { "batch is not an array", Encoding.UTF8.GetBytes("""{"batch":{"id":"x"}}"""), "application/json", HttpStatusCode.BadRequest },
        { "no batch", Encoding.UTF8.GetBytes("""{"events":[]}"""), "application/json", HttpStatusCode.BadRequest },
        { "top level array", Encoding.UTF8.GetBytes("[]"), "application/json", HttpStatusCode.BadRequest },
        { "invalid UTF-8", [.. "{\"batch\":[{\"id\":\""u8, 0xC3, 0x28, .. "\"}]}"u8], "application/json", HttpStatusCode.BadRequest },
        { "nesting deeper than 256", Encoding.UTF8.GetBytes("{\"batch\":" + new string('[', 300) + new string(']', 300) + "}"), "application/json", HttpStatusCode.BadRequest },
        { "wrong content type", Encoding.UTF8.GetBytes("""{"batch":[]}"""), "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "no content type", Encoding.UTF8.GetBytes("""{"batch":[]}"""), null, HttpStatusCode.UnsupportedMediaType },
        { "over the size limit", Encoding.UTF8.GetBytes("{\"batch\":[\"" + new string('x', 3 * 1024 * 1024) + "\"]}"), "application/json", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Malformed_requests_get_a_4xx_with_a_json_message_and_store_nothing(string because, byte[] payload, string? contentType, HttpStatusCode expected)
    {
        var content = new ByteArrayContent(payload);
        if (contentType is not null)
        {
            content.Headers.ContentType = new(contentType);
        }

        var response = await Client.PostAsync("/api/public/ingestion", content);
        using var body = await IngestionClient.ReadJsonAsync(response);

        Assert.True(expected == response.StatusCode, because);
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("message").GetString()));
        Assert.Empty(await Client.DrainQueueAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Without_credentials_nothing_is_accepted()
    {
        var response = await Client.PostAsync("/api/public/ingestion", IngestionClient.Json(new JsonObject { ["batch"] = new JsonArray(Trace("t-x")) }), authenticate: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await Client.DrainQueueAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task A_score_posted_alone_is_stored_and_its_id_returned()
    {
        var response = await Client.PostAsync("/api/public/scores", IngestionClient.Json(new JsonObject { ["name"] = "helpful", ["value"] = 1, ["traceId"] = "t-1", ["dataType"] = "BOOLEAN" }));
        using var body = await IngestionClient.ReadJsonAsync(response);
        var invalid = await Client.PostAsync("/api/public/scores", IngestionClient.Json(new JsonObject { ["value"] = 1 }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reference = Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));
        using var stored = await Client.ReadBatchAsync(reference.BlobKey);
        Assert.Equal(body.RootElement.GetProperty("id").GetString(), stored.RootElement.GetProperty("events")[0].GetProperty("entityId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }
}
