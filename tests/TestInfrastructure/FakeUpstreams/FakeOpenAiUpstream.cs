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
/// An OpenAI-compatible server on real Kestrel at 127.0.0.1: every request is recorded and answered by the next
/// queued <see cref="FakeReply"/>, or by <see cref="Responder"/> when the queue is empty.
/// </summary>
public sealed class FakeOpenAiUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _queued = new();
    private readonly ConcurrentQueue<FakeUpstreamRequest> _requests = new();

    private FakeOpenAiUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The base URL a gateway deployment uses as <c>api_base</c>.</summary>
    public string ApiBase => BaseAddress.ToString().TrimEnd('/') + "/v1";

    public Func<FakeUpstreamRequest, FakeReply> Responder { get; set; } = _ => FakeReply.Answer("Hello from the fake upstream");

    public IReadOnlyList<FakeUpstreamRequest> Requests => _requests.ToArray();

    public static async Task<FakeOpenAiUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeOpenAiUpstream? upstream = null;
        app.Map("/{**path}", (HttpContext context) => upstream!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        upstream = new FakeOpenAiUpstream(app, new Uri(address));
        return upstream;
    }

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _queued.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new FakeUpstreamRequest(context.Request.Method, context.Request.Path.Value ?? "/", headers, body.ToArray(), receivedAt)
        {
            Query = context.Request.QueryString.Value ?? string.Empty,
        };
        _requests.Enqueue(request);
        var reply = _queued.TryDequeue(out var next) ? next : Responder(request);
        await reply.WriteAsync(context, request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
