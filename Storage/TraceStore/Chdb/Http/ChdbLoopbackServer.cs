using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// Serves this process's embedded store to other processes: <see cref="ChdbHttpHandler"/> behind Kestrel on
/// 127.0.0.1, so they connect with <c>ClickHouse:Endpoint</c> exactly as to a ClickHouse server. chDB allows
/// one process per data directory; this is how several share one. Loopback only, and without
/// authentication, like a fresh server's <c>default</c> user.
/// </summary>
internal sealed partial class ChdbLoopbackServer(ClickHouseTraceStore store, int port, ILogger<ChdbLoopbackServer> logger) : IHostedService, IAsyncDisposable
{
    private static readonly HashSet<string> UnforwardedResponseHeaders = new(StringComparer.OrdinalIgnoreCase) { "Transfer-Encoding", "Connection" };

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var handler = store.EmbeddedHandler ?? throw new InvalidOperationException("Only the embedded trace store can be served.");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            // A bulk insert is as large as its batch; a ClickHouse server sets no limit either.
            kestrel.Limits.MaxRequestBodySize = null;
            // Query parameters travel in the URL: accept what a ClickHouse server accepts (http_max_uri_size, 1 MiB).
            kestrel.Limits.MaxRequestLineSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
        });

        var app = builder.Build();
        var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        app.Run(context => ForwardAsync(context, invoker));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        LogServing(store.Backend.Location, $"http://127.0.0.1:{port}");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ForwardAsync(HttpContext context, HttpMessageInvoker invoker)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"http://127.0.0.1{request.Path}{request.QueryString}"));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
            foreach (var coding in request.Headers.ContentEncoding)
            {
                message.Content.Headers.ContentEncoding.Add(coding!);
            }
        }

        using var response = await invoker.SendAsync(message, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!UnforwardedResponseHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded trace store at {Location} served over HTTP at {Address}")]
    private partial void LogServing(string location, string address);
}
