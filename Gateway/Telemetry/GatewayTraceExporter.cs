using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>
/// Sends a trace of every call to the Langfuse ingestion API without ever delaying a call: calls are queued in a
/// bounded channel, sent in batches in the background, spooled to disk while the target is down (bounded) and
/// delivered once it is back. What cannot be kept is counted in <c>gateway.traces.dropped</c>.
/// </summary>
internal sealed partial class GatewayTraceExporter : BackgroundService
{
    public const string MeterName = "Gateway.Traces";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("gateway.traces.dropped", description: "Call traces that were neither delivered nor kept");

    private readonly Channel<GatewayCallRecord> _calls;
    private readonly LangfuseExportOptions _options;
    private readonly IHttpClientFactory _clients;
    private readonly IServer _server;
    private readonly ILogger<GatewayTraceExporter> _logger;
    private readonly string _spool;

    public GatewayTraceExporter(IOptions<LangfuseExportOptions> options, IHttpClientFactory clients, IServer server, IConfiguration configuration, ILogger<GatewayTraceExporter> logger)
    {
        _options = options.Value;
        _clients = clients;
        _server = server;
        _logger = logger;
        _spool = _options.SpoolDirectory ?? Path.Combine(Storage.StorageOptions.ResolveDataDirectory(configuration), "gateway-trace-spool");
        _calls = Channel.CreateBounded<GatewayCallRecord>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    public const string HttpClientName = "langfuse-export";

    /// <summary>Whether traces are exported at all; without a target no call pays for building one.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Queues a call's trace; never blocks. A full queue drops the trace and counts it.</summary>
    public void Record(GatewayCallRecord call)
    {
        if (_options.Enabled && !_calls.Writer.TryWrite(call))
        {
            Dropped.Add(1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await DrainSpoolAsync(stoppingToken);
        var batch = new TraceBatch(_options.Environment);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                window.CancelAfter(_options.FlushInterval);
                while (batch.Events < _options.MaxBatchEvents && await _calls.Reader.WaitToReadAsync(window.Token))
                {
                    while (batch.Events < _options.MaxBatchEvents && _calls.Reader.TryRead(out var call))
                    {
                        batch.Add(call);
                    }
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The flush interval ended the wait; send what there is.
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (batch.Calls > 0)
            {
                var (payload, calls) = batch.Finish();
                if (!await SendAsync(payload, stoppingToken))
                {
                    Spool(payload, calls);
                }
                else
                {
                    await DrainSpoolAsync(stoppingToken);
                }
            }
        }

        // On shutdown what is still queued is kept for the next start rather than lost.
        while (_calls.Reader.TryRead(out var call))
        {
            batch.Add(call);
        }

        if (batch.Calls > 0)
        {
            var (payload, calls) = batch.Finish();
            Spool(payload, calls);
        }
    }

    private async Task<bool> SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            var client = _clients.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Host(), "api/public/ingestion"))
            {
                Content = new ReadOnlyMemoryContent(payload) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.PublicKey}:{_options.SecretKey}")));
            using var response = await client.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            LogRefused((int)response.StatusCode);
            // A refusal for the request as a whole (bad key, too large) will not change by retrying.
            return (int)response.StatusCode is >= 400 and < 500 and not 408 and not 429;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(exception.Message);
            return false;
        }
    }

    private void Spool(ReadOnlyMemory<byte> payload, int calls)
    {
        try
        {
            Directory.CreateDirectory(_spool);
            if (Directory.GetFiles(_spool, "*.json").Length >= _options.MaxSpooledBatches)
            {
                Dropped.Add(calls);
                return;
            }

            File.WriteAllBytes(Path.Combine(_spool, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.json"), payload.Span);
        }
        catch (IOException)
        {
            Dropped.Add(calls);
        }
    }

    private async Task DrainSpoolAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_spool))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(_spool, "*.json").Order(StringComparer.Ordinal))
        {
            if (!await SendAsync(await File.ReadAllBytesAsync(file, cancellationToken), cancellationToken))
            {
                return;
            }

            File.Delete(file);
        }
    }

    /// <summary>LANGFUSE_HOST, or this process's own address when the host serves TraceIngest too (Standalone).</summary>
    private Uri Host()
    {
        var host = string.IsNullOrWhiteSpace(_options.Host)
            ? _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:4000"
            : _options.Host;
        return new Uri(host.EndsWith('/') ? host : host + "/");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace export refused with HTTP {Status}")]
    private partial void LogRefused(int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trace export target unreachable ({Reason}); traces are spooled to disk and sent when it returns")]
    private partial void LogUnreachable(string reason);
}
