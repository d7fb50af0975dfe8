using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storage.TraceStore;

/// <summary>
/// Opens the trace store (starting the embedded engine when that is the backend) and applies pending schema
/// migrations before the host serves, so a missing library or an unreachable server stops the service at start.
/// </summary>
internal sealed partial class TraceStoreInitializer(ClickHouseTraceStore store, ILogger<TraceStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await new TraceStoreMigrator(store).MigrateAsync(MigrationScript.All, cancellationToken);
        if (applied.Count > 0)
        {
            LogMigrated(store.Database, applied.Count, string.Join(", ", applied));
        }
        else
        {
            LogUpToDate(store.Database);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace store database {Database} migrated: {Count} migration(s) applied ({Migrations})")]
    private partial void LogMigrated(string database, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trace store database {Database} is up to date")]
    private partial void LogUpToDate(string database);
}
