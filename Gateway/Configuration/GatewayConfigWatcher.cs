using System.Security.Cryptography;
using System.Text;
using Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>
/// Applies changes to the config file while the gateway runs: the file's directory is watched (editors and
/// Kubernetes ConfigMaps replace files by renaming, which a watch on the file itself would miss) and the file is
/// also polled. A changed file is read, validated and bound in full before the catalog is swapped; an invalid one
/// is logged with its YAML paths and reasons and the previous config keeps serving.
/// </summary>
internal sealed partial class GatewayConfigWatcher(
    ModelCatalog catalog,
    IConfiguration configuration,
    IOptions<MasterKeyOptions> masterKey,
    IOptions<ConfigReloadOptions> options,
    TimeProvider clock,
    ILogger<GatewayConfigWatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = GatewayConfigFile.Locate(configuration);
        if (path is null || !options.Value.Enabled)
        {
            return;
        }

        var loaded = HashOf(TryReadText(path));
        using var watcher = Watch(path);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var poll = new CancellationTokenSource(options.Value.PollInterval, clock);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, stoppingToken);
                await _changed.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time to poll.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(options.Value.SettleTime, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var text = TryReadText(path);
            var hash = HashOf(text);
            if (text is null || hash == loaded)
            {
                continue;
            }

            loaded = hash;
            Reload(path, text);
        }
    }

    private void Reload(string path, string text)
    {
        try
        {
            var config = LiteLlmConfigReader.Read(text, path, name => configuration[name]);
            var snapshot = catalog.Replace(config, masterKey.Value.MasterKey, name => configuration[name], clock.GetUtcNow());
            LogReloaded(logger, path, snapshot.Groups.Count, config.ModelList.Count, GatewayConfigStartup.Names(snapshot));
            GatewayConfigStartup.ReportProblems(logger, snapshot);
        }
        catch (GatewayConfigException exception)
        {
            LogRejected(logger, path, string.Join("; ", exception.Errors));
        }
    }

    private FileSystemWatcher? Watch(string path)
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler signal = (_, _) => Signal();
            watcher.Changed += signal;
            watcher.Created += signal;
            watcher.Deleted += signal;
            watcher.Renamed += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or PlatformNotSupportedException)
        {
            LogPollingOnly(logger, path, exception.Message);
            return null;
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A change is already pending.
        }
    }

    /// <summary>The text, or null while the file is missing or being replaced.</summary>
    private static string? TryReadText(string path)
    {
        try
        {
            return GatewayConfigFile.ReadText(path);
        }
        catch (GatewayConfigException)
        {
            return null;
        }
    }

    private static string? HashOf(string? text) => text is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway config {Path} reloaded: {Groups} models from {Deployments} deployments ({Names})")]
    private static partial void LogReloaded(ILogger logger, string path, int groups, int deployments, string names);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway config {Path} changed but is invalid, the previous config keeps serving: {Errors}")]
    private static partial void LogRejected(ILogger logger, string path, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway config {Path} cannot be watched ({Reason}); changes are noticed by polling only")]
    private static partial void LogPollingOnly(ILogger logger, string path, string reason);
}
