using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Telemetry;

/// <summary>Every call is exported as Langfuse ingestion events, without the call waiting, and survives the target being down.</summary>
public sealed class GatewayTraceExporterTests : IAsyncLifetime
{
    private const string Config = """
        model_list:
          - model_name: echo
            litellm_params: {model: mock/echo}
            model_info: {input_cost_per_token: 0.5, output_cost_per_token: 1}
          - model_name: flaky
            litellm_params: {model: mock/flaky, mock_error_status: 503}
        router_settings:
          num_retries: 0
          fallbacks: [{"flaky": ["echo"]}]
        """;

    private readonly TemporaryDirectory _data = new("gateway-traces-");
    private readonly ConcurrentQueue<(string Authorization, JsonDocument Body)> _received = new();
    private readonly int _port = FreeTcpPort.Next();
    private WebApplication? _receiver;
    private TestWebHost _gateway = null!;

    public async ValueTask InitializeAsync() =>
        _gateway = await GatewayHost.StartWithConfigAsync(_data, Config, new Dictionary<string, string?>
        {
            ["LANGFUSE_HOST"] = $"http://127.0.0.1:{_port}",
            ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-gateway",
            ["LANGFUSE_SECRET_KEY"] = "sk-lf-gateway-secret",
            ["Gateway:Traces:FlushInterval"] = "00:00:00.100",
            ["LANGFUSE_TRACING_ENVIRONMENT"] = "gateway-tests",
        });

    /// <summary>A stand-in for the ingestion API that records what it is sent.</summary>
    private async Task StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _receiver = builder.Build();
        _receiver.MapPost("/api/public/ingestion", async (HttpRequest request) =>
        {
            _received.Enqueue((request.Headers.Authorization.ToString(), await JsonDocument.ParseAsync(request.Body)));
            return Results.StatusCode(StatusCodes.Status207MultiStatus);
        });
        await _receiver.StartAsync();
    }

    private async Task CallAsync(string user)
    {
        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", $$"""{"model":"echo","user":"{{user}}","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<JsonElement>> ReceivedEventsAsync(int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_received.Sum(r => r.Body.RootElement.GetProperty("batch").GetArrayLength()) < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return _received.SelectMany(r => r.Body.RootElement.GetProperty("batch").EnumerateArray()).ToList();
    }

    [Fact]
    public async Task A_call_is_sent_as_a_trace_and_a_generation_with_usage_and_the_project_key()
    {
        await StartReceiverAsync();

        await CallAsync("user-1");
        var events = await ReceivedEventsAsync(2);

        Assert.Equal(["generation-create", "trace-create"], events.Select(e => e.GetProperty("type").GetString()).Order());
        var trace = events.Single(e => e.GetProperty("type").GetString() == "trace-create").GetProperty("body");
        var generation = events.Single(e => e.GetProperty("type").GetString() == "generation-create").GetProperty("body");
        Assert.Equal(("user-1", "echo"), (trace.GetProperty("userId").GetString(), trace.GetProperty("metadata").GetProperty("requested_model").GetString()));
        Assert.Equal(trace.GetProperty("id").GetString(), generation.GetProperty("traceId").GetString());
        Assert.True(generation.GetProperty("usageDetails").GetProperty("input").GetInt32() > 0);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("pk-lf-gateway:sk-lf-gateway-secret")), _received.First().Authorization);
        Assert.DoesNotContain(GatewayHost.MasterKey, string.Join('\n', events.Select(e => e.GetRawText())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_virtual_key_calls_trace_names_its_token_alias_team_and_user_and_carries_the_cost()
    {
        await StartReceiverAsync();
        (await _gateway.PostAsync("/team/new", """{"team_id":"traced-team"}""")).AssertOk();
        var key = await _gateway.GenerateKeyAsync(new System.Text.Json.Nodes.JsonObject { ["key_alias"] = "traced", ["team_id"] = "traced-team", ["user_id"] = "traced-user" });

        using var response = await _gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"echo","messages":[{"role":"user","content":"two words"}]}""", key), TestContext.Current.CancellationToken);
        var events = await ReceivedEventsAsync(2);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var generation = events.Single(e => e.GetProperty("type").GetString() == "generation-create").GetProperty("body");
        var metadata = generation.GetProperty("metadata");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key))), metadata.GetProperty("user_api_key_hash").GetString());
        Assert.Equal("traced", metadata.GetProperty("user_api_key_alias").GetString());
        Assert.Equal("traced-team", metadata.GetProperty("user_api_key_team_id").GetString());
        Assert.Equal("traced-user", metadata.GetProperty("user_api_key_user_id").GetString());
        // Two prompt words at $0.5 and the two echoed words at $1.
        Assert.Equal(3, generation.GetProperty("costDetails").GetProperty("total").GetDouble(), 9);
        Assert.DoesNotContain(key, string.Join('\n', events.Select(e => e.GetRawText())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fallback_is_a_span_per_failed_attempt_beside_the_generation_with_parameters_first_token_and_environment()
    {
        await StartReceiverAsync();

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions",
            """{"model":"flaky","stream":true,"temperature":0.25,"top_p":0.9,"max_tokens":16,"messages":[{"role":"user","content":"a b c"}]}"""), TestContext.Current.CancellationToken);
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var events = await ReceivedEventsAsync(3);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["trace-create", "span-create", "generation-create"], events.Select(e => e.GetProperty("type").GetString()));
        var bodies = events.Select(e => e.GetProperty("body")).ToList();
        var (trace, attempt, generation) = (bodies[0], bodies[1], bodies[2]);
        Assert.All(bodies, b => Assert.Equal("gateway-tests", b.GetProperty("environment").GetString()));
        Assert.Equal(trace.GetProperty("id").GetString(), attempt.GetProperty("traceId").GetString());
        Assert.Equal(("attempt 1: flaky", "mock", 503), (attempt.GetProperty("name").GetString(),
            attempt.GetProperty("metadata").GetProperty("provider").GetString(), attempt.GetProperty("metadata").GetProperty("status").GetInt32()));
        Assert.Equal(("echo", 2), (generation.GetProperty("metadata").GetProperty("deployment").GetString(), generation.GetProperty("metadata").GetProperty("attempts").GetInt32()));
        Assert.Equal("""{"temperature":0.25,"top_p":0.9,"max_tokens":16}""", generation.GetProperty("modelParameters").GetRawText());
        var start = generation.GetProperty("startTime").GetDateTimeOffset();
        Assert.True(attempt.GetProperty("endTime").GetDateTimeOffset() <= start);
        Assert.InRange(generation.GetProperty("completionStartTime").GetDateTimeOffset(), start, generation.GetProperty("endTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task Calls_made_while_the_target_is_down_are_spooled_and_delivered_when_it_returns()
    {
        await CallAsync("while-down-1");
        await CallAsync("while-down-2");
        var spool = Path.Combine(_data.Path, "gateway-trace-spool");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((!Directory.Exists(spool) || Directory.GetFiles(spool).Length == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.NotEmpty(Directory.GetFiles(spool));

        await StartReceiverAsync();
        await CallAsync("after-return");
        var events = await ReceivedEventsAsync(6);

        var users = events.Where(e => e.GetProperty("type").GetString() == "trace-create").Select(e => e.GetProperty("body").GetProperty("userId").GetString()).Order().ToList();
        Assert.Equal(["after-return", "while-down-1", "while-down-2"], users);
        Assert.Empty(Directory.GetFiles(spool));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        _data.Dispose();
    }
}
