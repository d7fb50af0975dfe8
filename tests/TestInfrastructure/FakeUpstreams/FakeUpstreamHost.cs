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
/// Real Kestrel at 127.0.0.1 on a free port under a fake upstream: every request is read whole, recorded with the
/// moment it arrived, and handed to the fake's answer.
/// </summary>
public sealed class FakeUpstreamHost : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeUpstreamRequest> _requests = new();
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<FakeUpstreamRequest> Requests => _requests.ToArray();

    public static Task<FakeUpstreamHost> StartAsync(Func<HttpContext, FakeUpstreamRequest, Task> answer)
    {
        var host = new FakeUpstreamHost();
        return host.StartAsync(async context => await answer(context, await host.RecordAsync(context)));
    }

    /// <summary>A host that reads every request's body and keeps nothing (<see cref="Requests"/> stays empty), for benchmarks.</summary>
    public static Task<FakeUpstreamHost> StartDrainingAsync(Func<HttpContext, Task> answer) =>
        new FakeUpstreamHost().StartAsync(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            await answer(context);
        });

    private async Task<FakeUpstreamHost> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Map("/{**path}", handler);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return this;
    }

    private async Task<FakeUpstreamRequest> RecordAsync(HttpContext context)
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
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
