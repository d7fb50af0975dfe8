using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// Anthropic's Messages API on real Kestrel at 127.0.0.1, as strict as the real one about what a gateway must get
/// right: <c>POST /v1/messages</c> (and <c>/count_tokens</c>) only, <c>anthropic-version</c> required, the key in
/// <c>x-api-key</c> — or an OAuth token as <c>Authorization: Bearer</c> with the <c>oauth-2025-04-20</c> beta flag —
/// and a body with <c>model</c>, <c>max_tokens</c> and <c>messages</c>; anything else gets Anthropic's error shape.
/// Valid requests are answered by the next queued <see cref="FakeAnthropicReply"/>, or by <see cref="Responder"/>.
/// </summary>
public sealed class FakeAnthropicUpstream : IAsyncDisposable
{
    public const string OAuthBeta = "oauth-2025-04-20";

    private readonly ConcurrentQueue<FakeAnthropicReply> _queued = new();
    private FakeUpstreamHost _host = null!;

    private FakeAnthropicUpstream(string[] keys) => AcceptedKeys = keys;

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The <c>api_base</c> of a deployment (Anthropic's base URL has no <c>/v1</c>).</summary>
    public string ApiBase => BaseAddress.ToString().TrimEnd('/');

    /// <summary>The credentials accepted: API keys as <c>x-api-key</c>, OAuth tokens (<c>sk-ant-oat…</c>) only as bearer tokens.</summary>
    public IReadOnlyList<string> AcceptedKeys { get; }

    public Func<FakeUpstreamRequest, FakeAnthropicReply> Responder { get; set; } = _ => FakeAnthropicReply.Answer("Hello from the fake Anthropic upstream");

    /// <summary>Every request received, the refused ones included.</summary>
    public IReadOnlyList<FakeUpstreamRequest> Requests => _host.Requests;

    public static async Task<FakeAnthropicUpstream> StartAsync(params string[] keys)
    {
        var upstream = new FakeAnthropicUpstream(keys.Length > 0 ? keys : ["sk-ant-api03-fake-key"]);
        upstream._host = await FakeUpstreamHost.StartAsync(upstream.AnswerAsync);
        return upstream;
    }

    public void Enqueue(params FakeAnthropicReply[] replies)
    {
        foreach (var reply in replies)
        {
            _queued.Enqueue(reply);
        }
    }

    private Task AnswerAsync(HttpContext context, FakeUpstreamRequest request) =>
        (Refusal(request) ?? (_queued.TryDequeue(out var next) ? next : Responder(request))).WriteAsync(context, request);

    /// <summary>What the real API would refuse before a model sees the request.</summary>
    private FakeAnthropicReply? Refusal(FakeUpstreamRequest request)
    {
        if (request.Method != "POST" || request.Path is not ("/v1/messages" or "/v1/messages/count_tokens"))
        {
            return FakeAnthropicReply.Error(404, "not_found_error", $"Not found: {request.Method} {request.Path}");
        }

        if (string.IsNullOrEmpty(request.Header("anthropic-version")))
        {
            return FakeAnthropicReply.Error(400, "invalid_request_error", "anthropic-version: header is required");
        }

        var bearer = request.Header("authorization") is { } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null;
        var oauth = bearer is not null && bearer.StartsWith("sk-ant-oat", StringComparison.Ordinal);
        var authorized = oauth
            ? AcceptedKeys.Contains(bearer) && request.Header("x-api-key") is null
              && (request.Header("anthropic-beta") ?? string.Empty).Split(',').Select(b => b.Trim()).Contains(OAuthBeta)
            : request.Header("x-api-key") is { } key && AcceptedKeys.Contains(key) && !key.StartsWith("sk-ant-oat", StringComparison.Ordinal);
        if (!authorized)
        {
            return FakeAnthropicReply.Error(401, "authentication_error", oauth ? "OAuth authentication is currently not supported." : "invalid x-api-key");
        }

        JsonNode? json;
        try
        {
            json = request.Json;
        }
        catch (System.Text.Json.JsonException)
        {
            return FakeAnthropicReply.Error(400, "invalid_request_error", "The request body is not valid JSON.");
        }

        if (json?["model"] is null)
        {
            return FakeAnthropicReply.Error(400, "invalid_request_error", "model: Field required");
        }

        if (json["messages"] is not JsonArray)
        {
            return FakeAnthropicReply.Error(400, "invalid_request_error", "messages: Field required");
        }

        if (request.Path == "/v1/messages" && json["max_tokens"] is null)
        {
            return FakeAnthropicReply.Error(400, "invalid_request_error", "max_tokens: Field required");
        }

        return request.Path.EndsWith("/count_tokens", StringComparison.Ordinal) ? FakeAnthropicReply.TokenCount() : null;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
