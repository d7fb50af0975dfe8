using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Governance;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// What the gateway reports about each call — the log line, the Langfuse trace, the <c>gen_ai</c> spans and metrics —
/// seen by real listeners: an in-memory OpenTelemetry exporter, a Langfuse ingestion stand-in and the captured log.
/// </summary>
public sealed class CallTelemetryTests : IAsyncLifetime
{
    private const string ProviderKey = "sk-provider-secret-in-config-4f9a";
    private const string ProviderEnvKey = "sk-provider-secret-from-env-77c1";
    private const string LangfuseSecret = "sk-lf-telemetry-secret-0b3e";
    private const string WrongKey = "sk-wrong-caller-secret-5e21";
    private const string PromptMarker = "confidential-prompt-words";

    private readonly TemporaryDirectory _data = new("gateway-telemetry-");
    private readonly ConcurrentQueue<string> _langfuseEvents = new();
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly int _langfusePort = FreeTcpPort.Next();
    // Listeners are process-wide: spans of other tests' gateways are told apart by the trace every call here joins.
    private ActivityTraceId _traceId;
    private FakeOpenAiUpstream _upstream = null!;
    private FakeOpenAiUpstream _rejecting = null!;
    private WebApplication _langfuse = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeOpenAiUpstream.StartAsync();
        _rejecting = await FakeOpenAiUpstream.StartAsync();
        _rejecting.Responder = _ => FakeReply.Status(401, body: """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}""");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_langfusePort}");
        _langfuse = builder.Build();
        _langfuse.MapPost("/api/public/ingestion", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _langfuseEvents.Enqueue(await reader.ReadToEndAsync());
            return Results.StatusCode(StatusCodes.Status207MultiStatus);
        });
        await _langfuse.StartAsync(Cancellation);
    }

    private string Config => $$"""
        model_list:
          - model_name: chat
            litellm_params: {model: openai/gpt-4o-mini, api_base: "{{_upstream.ApiBase}}", api_key: os.environ/TELEMETRY_PROVIDER_KEY}
            model_info: {input_cost_per_token: 0.001, output_cost_per_token: 0.002}
          - model_name: rejecting
            litellm_params: {model: openai/gpt-4o, api_base: "{{_rejecting.ApiBase}}", api_key: {{ProviderKey}}}
        """;

    private Task<TestWebHost> StartGatewayAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["TELEMETRY_PROVIDER_KEY"] = ProviderEnvKey,
            ["LANGFUSE_HOST"] = $"http://127.0.0.1:{_langfusePort}",
            ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-telemetry",
            ["LANGFUSE_SECRET_KEY"] = LangfuseSecret,
            ["Gateway:Traces:FlushInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return GatewayHost.StartWithConfigAsync(_data, Config, all, configure: builder => builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics)));
    }

    private HttpRequestMessage Chat(string model, string? bearer, bool stream = false, string? apiKeyHeader = null)
    {
        var request = GatewayClients.Post("/v1/chat/completions",
            $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"temperature":0.5,"max_tokens":30,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"{{PromptMarker}} then more"}]}""",
            bearer);
        if (apiKeyHeader is not null)
        {
            request.Headers.Add("api-key", apiKeyHeader);
        }

        return request;
    }

    /// <summary>Starts the trace the test's calls belong to (their <c>traceparent</c> comes from it).</summary>
    private Activity StartTrace()
    {
        // Sampled, or the gateway's parent-based sampler would drop every span of the trace.
        var activity = new Activity("call-telemetry-test").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        _traceId = activity.TraceId;
        return activity;
    }

    private List<Activity> OurSpans() => _spans.Where(s => s.TraceId == _traceId).ToList();

    private async Task<List<JsonElement>> LangfuseEventsAsync(int atLeast)
    {
        List<JsonElement> Events() => _langfuseEvents.SelectMany(b => JsonDocument.Parse(b).RootElement.GetProperty("batch").EnumerateArray()).Select(e => e.Clone()).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Events().Count < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Cancellation);
        }

        return Events();
    }

    [Fact]
    public async Task Each_call_is_a_gen_ai_client_span_with_the_conventions_attributes_and_feeds_the_gen_ai_metrics()
    {
        await using var gateway = await StartGatewayAsync();
        using var trace = StartTrace();

        using var answered = await gateway.Client.SendAsync(Chat("chat", GatewayHost.MasterKey), Cancellation);
        using var streamed = await gateway.Client.SendAsync(Chat("chat", GatewayHost.MasterKey, stream: true), Cancellation);
        await streamed.Content.ReadAsStringAsync(Cancellation);
        using var failed = await gateway.Client.SendAsync(Chat("rejecting", GatewayHost.MasterKey), Cancellation);
        gateway.Services.GetRequiredService<TracerProvider>().ForceFlush();
        gateway.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadGateway), (answered.StatusCode, failed.StatusCode));
        var spans = OurSpans().Where(s => s.Source.Name == ServiceDefaultsExtensions.GenAiTelemetryName).ToList();
        Assert.Equal(3, spans.Count);
        var chat = spans[0];
        Assert.Equal(("chat chat", ActivityKind.Client), (chat.DisplayName, chat.Kind));
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", chat.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("chat", chat.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-4o-mini", chat.GetTagItem("gen_ai.response.model"));
        Assert.Equal((0.5, 30), (chat.GetTagItem("gen_ai.request.temperature"), chat.GetTagItem("gen_ai.request.max_tokens")));
        Assert.Equal((FakeReply.PromptTokens, FakeReply.CompletionTokens), (chat.GetTagItem("gen_ai.usage.input_tokens"), chat.GetTagItem("gen_ai.usage.output_tokens")));
        Assert.Equal(ActivityStatusCode.Unset, chat.Status);
        Assert.True((double)spans[1].GetTagItem("gen_ai.response.time_to_first_chunk")! > 0);
        // The upstream HTTP call is a child of the gen_ai span.
        Assert.Contains(OurSpans(), s => s.Kind == ActivityKind.Client && s.ParentSpanId == chat.SpanId && s.Source.Name != ServiceDefaultsExtensions.GenAiTelemetryName);
        Assert.Equal(("upstream_rejected", ActivityStatusCode.Error), (spans[2].GetTagItem("error.type"), spans[2].Status));

        var metrics = _metrics.Select(m => m.Name).ToHashSet();
        Assert.Contains("gen_ai.client.token.usage", metrics);
        Assert.Contains("gen_ai.client.operation.duration", metrics);
        Assert.Contains("gen_ai.client.operation.time_to_first_chunk", metrics);
        var tokenTypes = new List<string>();
        foreach (var metric in _metrics.Where(m => m.Name == "gen_ai.client.token.usage"))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "gen_ai.token.type")
                    {
                        tokenTypes.Add((string)tag.Value!);
                    }
                }
            }
        }

        Assert.Contains("input", tokenTypes);
        Assert.Contains("output", tokenTypes);
    }

    [Fact]
    public async Task One_log_line_per_call_names_tokens_cost_latency_provider_deployment_status_and_key_alias_but_no_prompt()
    {
        await using var gateway = await StartGatewayAsync();
        (await gateway.PostAsync("/team/new", """{"team_id":"log-team"}""")).AssertOk();
        var key = await gateway.GenerateKeyAsync(new System.Text.Json.Nodes.JsonObject { ["key_alias"] = "log-alias", ["team_id"] = "log-team" });

        using var response = await gateway.Client.SendAsync(Chat("chat", key), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await gateway.Logs.LineContainingAsync("ChatCompletions chat served by");
        Assert.Contains($"with 200 after 1 attempt(s): {FakeReply.PromptTokens} prompt + {FakeReply.CompletionTokens} completion tokens", line, StringComparison.Ordinal);
        Assert.Contains("(openai)", line, StringComparison.Ordinal);
        Assert.Matches(@"cost 0\.02\d* USD", line);
        Assert.Contains("key log-alias, team log-team", line, StringComparison.Ordinal);
        Assert.Matches(@"\d+(\.\d+)? ms, first token \d+(\.\d+)? ms, overhead", line);
        Assert.DoesNotContain(PromptMarker, gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_previews_appear_in_the_log_line_only_when_enabled_and_only_as_long_as_configured()
    {
        await using var gateway = await StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Gateway:CallLog:MessagePreviews"] = "true",
            ["Gateway:CallLog:PreviewCharacters"] = "12",
        });

        using var response = await gateway.Client.SendAsync(Chat("chat", GatewayHost.MasterKey), Cancellation);

        var line = await gateway.Logs.LineContainingAsync("ChatCompletions chat served by");
        Assert.Contains("latest user message: confidential…; context tail: …ds then more", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_key_token_or_credential_appears_in_logs_traces_spans_or_error_bodies()
    {
        await using var gateway = await StartGatewayAsync(new Dictionary<string, string?> { ["Gateway:CallLog:MessagePreviews"] = "true" });
        using var trace = StartTrace();
        var virtualKey = await gateway.GenerateKeyAsync(new System.Text.Json.Nodes.JsonObject { ["key_alias"] = "secret-test" });
        var bodies = new List<string>();
        async Task CallAsync(HttpRequestMessage request, HttpStatusCode expected)
        {
            using var response = await gateway.Client.SendAsync(request, Cancellation);
            bodies.Add(await response.Content.ReadAsStringAsync(Cancellation));
            bodies.Add(string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(',', h.Value)}")));
            Assert.Equal(expected, response.StatusCode);
        }

        await CallAsync(Chat("chat", GatewayHost.MasterKey), HttpStatusCode.OK);
        await CallAsync(Chat("chat", virtualKey, stream: true), HttpStatusCode.OK);
        await CallAsync(Chat("chat", bearer: null, apiKeyHeader: virtualKey), HttpStatusCode.OK);
        await CallAsync(Chat("rejecting", virtualKey), HttpStatusCode.BadGateway);
        await CallAsync(Chat("chat", WrongKey), HttpStatusCode.Unauthorized);
        await CallAsync(Chat("chat", bearer: null, apiKeyHeader: WrongKey), HttpStatusCode.Unauthorized);
        var basic = Chat("chat", bearer: null);
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + WrongKey)));
        await CallAsync(basic, HttpStatusCode.Unauthorized);
        var events = await LangfuseEventsAsync(9);
        gateway.Services.GetRequiredService<TracerProvider>().ForceFlush();

        // The upstream saw the provider key, so it was really in use.
        Assert.Contains(_upstream.Requests, r => r.Header("Authorization") == "Bearer " + ProviderEnvKey);
        // Four traced calls (the 401s never reach routing): a trace and a generation each, and a span for the rejected attempt.
        Assert.Equal(9, events.Count);
        var spans = string.Join('\n', OurSpans().Select(s => $"{s.DisplayName} {string.Join(',', s.TagObjects.Select(t => $"{t.Key}={t.Value}"))} "
            + string.Join(',', s.Events.SelectMany(e => e.Tags).Select(t => $"{t.Key}={t.Value}"))));
        var everything = string.Join("\n----\n", gateway.Logs.All, string.Join('\n', events.Select(e => e.GetRawText())), spans, string.Join('\n', bodies));
        Assert.Contains("secret-test", everything, StringComparison.Ordinal);
        foreach (var secret in new[] { GatewayHost.MasterKey, virtualKey, ProviderKey, ProviderEnvKey, LangfuseSecret, WrongKey })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _langfuse.DisposeAsync();
        await _upstream.DisposeAsync();
        await _rejecting.DisposeAsync();
        _data.Dispose();
    }
}
