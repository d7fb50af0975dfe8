using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestInfrastructure;

/// <summary>
/// Bedrock Runtime on real Kestrel at 127.0.0.1: <c>POST /model/{modelId}/converse</c>, <c>/converse-stream</c> and
/// <c>/invoke</c>. Every request must carry a valid SigV4 signature for service <c>bedrock</c> in <see cref="Region"/>
/// made with <see cref="AccessKeyId"/>/<see cref="SecretKey"/> (and <see cref="SessionToken"/> when set), or
/// <c>Authorization: Bearer</c> <see cref="ApiKey"/>; otherwise it answers 403 as Bedrock does. Converse bodies are
/// validated as Bedrock validates them. Answers come from queued <see cref="FakeBedrockReply"/>s, else <see cref="Responder"/>.
/// </summary>
public sealed class FakeBedrockUpstream : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDFAKEBEDROCK7EXAMPLE";
    public const string SecretKey = "fAkE/bEdRoCk+SeCrEt/wJalrXUtnFEMIK7MDENGbPxRfiCY";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeBedrockReply> _queued = new();
    private readonly ConcurrentQueue<FakeBedrockRequest> _requests = new();

    private FakeBedrockUpstream(WebApplication app, Uri baseAddress, string region)
    {
        _app = app;
        BaseAddress = baseAddress;
        Region = region;
    }

    /// <summary>The endpoint a deployment names as <c>api_base</c> or <c>aws_bedrock_runtime_endpoint</c>.</summary>
    public Uri BaseAddress { get; }

    public string Region { get; }

    /// <summary>When set, signed requests must carry it as <c>x-amz-security-token</c> (temporary credentials).</summary>
    public string? SessionToken { get; set; }

    /// <summary>A Bedrock API key accepted as <c>Authorization: Bearer</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Write each event-stream frame in two pieces with a flush between (frames split across reads).</summary>
    public bool SplitFrames { get; set; }

    /// <summary>Wait before each event-stream frame.</summary>
    public TimeSpan EventDelay { get; set; }

    public Func<FakeBedrockRequest, FakeBedrockReply> Responder { get; set; } = _ => FakeBedrockReply.Text("Hello from fake Bedrock");

    public IReadOnlyList<FakeBedrockRequest> Requests => _requests.ToArray();

    /// <summary>Requests refused for their signature (never reached <see cref="Responder"/>).</summary>
    public int RejectedSignatures => _rejected;

    private int _rejected;

    public static async Task<FakeBedrockUpstream> StartAsync(string region = "us-east-1")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeBedrockUpstream? upstream = null;
        app.Map("/{**path}", (HttpContext context) => upstream!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        upstream = new FakeBedrockUpstream(app, new Uri(address), region);
        return upstream;
    }

    public void Enqueue(params FakeBedrockReply[] replies)
    {
        foreach (var reply in replies)
        {
            _queued.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var rawPath = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget.Split('?')[0];
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();

        var segments = rawPath.Split('/');
        if (context.Request.Method != "POST" || segments.Length != 4 || segments[0].Length != 0 || segments[1] != "model"
            || segments[3] is not ("converse" or "converse-stream" or "invoke"))
        {
            await FakeBedrockReply.WriteErrorAsync(context, 404, "UnknownOperationException", "Unknown operation");
            return;
        }

        var modelId = Uri.UnescapeDataString(segments[2]);
        if (Refusal(context.Request.Method, segments[3], modelId, headers, body) is { } refusal)
        {
            Interlocked.Increment(ref _rejected);
            await FakeBedrockReply.WriteErrorAsync(context, 403, refusal.Type, refusal.Message);
            return;
        }

        var request = new FakeBedrockRequest(segments[3], modelId, rawPath, headers, body, receivedAt);
        _requests.Enqueue(request);
        if (request.Action != "invoke" && ConverseRequestRules.Violation(request.Json) is { } violation)
        {
            await FakeBedrockReply.WriteErrorAsync(context, 400, "ValidationException", violation);
            return;
        }

        var reply = _queued.TryDequeue(out var next) ? next : Responder(request);
        await reply.WriteAsync(context, request, this);
    }

    private (string Type, string Message)? Refusal(string method, string action, string modelId, Dictionary<string, string> headers, byte[] body)
    {
        if (headers.TryGetValue("authorization", out var authorization) && authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return ApiKey is not null && authorization["Bearer ".Length..] == ApiKey ? null : ("UnrecognizedClientException", "Invalid API Key format: Must start with pre-defined prefix");
        }

        var verifier = new SigV4Verifier(AccessKeyId, SecretKey, SessionToken, Region, "bedrock");
        return verifier.Verify(method, $"/model/{{modelId}}/{action}", new Dictionary<string, string> { ["{modelId}"] = modelId }, headers, body, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
