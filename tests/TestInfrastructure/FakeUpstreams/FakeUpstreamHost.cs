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

    public static async Task<FakeUpstreamHost> StartAsync(Func<HttpContext, FakeUpstreamRequest, Task> answer)
    {
        var host = new FakeUpstreamHost();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        host._app = builder.Build();
        host._app.Map("/{**path}", async (HttpContext context) => await answer(context, await host.RecordAsync(context)));
        await host._app.StartAsync();
        host.BaseAddress = new Uri(host._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return host;
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
