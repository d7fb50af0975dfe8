using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// An OpenAI-compatible server on real Kestrel at 127.0.0.1: every request is recorded and answered by the next
/// queued <see cref="FakeReply"/>, or by <see cref="Responder"/> when the queue is empty.
/// </summary>
public sealed class FakeOpenAiUpstream : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeReply> _queued = new();
    private FakeUpstreamHost _host = null!;

    private FakeOpenAiUpstream()
    {
    }

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The base URL a gateway deployment uses as <c>api_base</c>.</summary>
    public string ApiBase => BaseAddress.ToString().TrimEnd('/') + "/v1";

    public Func<FakeUpstreamRequest, FakeReply> Responder { get; set; } = _ => FakeReply.Answer("Hello from the fake upstream");

    public IReadOnlyList<FakeUpstreamRequest> Requests => _host.Requests;

    public static async Task<FakeOpenAiUpstream> StartAsync()
    {
        var upstream = new FakeOpenAiUpstream();
        upstream._host = await FakeUpstreamHost.StartAsync(upstream.AnswerAsync);
        return upstream;
    }

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _queued.Enqueue(reply);
        }
    }

    private Task AnswerAsync(HttpContext context, FakeUpstreamRequest request) =>
        (_queued.TryDequeue(out var next) ? next : Responder(request)).WriteAsync(context, request);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
