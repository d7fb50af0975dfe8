using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Storage.Provisioning;

namespace Storage.Relational;

/// <summary>
/// Brings the relational store to the current schema and applies headless provisioning before the host
/// starts serving. Several replicas may do this at once: EF Core's migration lock serialises them and
/// provisioning tolerates losing a race.
/// </summary>
internal sealed partial class RelationalStoreInitializer(IServiceProvider services, ILogger<RelationalStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();

        if (db.Database.GetDbConnection() is SqliteConnection sqlite)
        {
            var directory = Path.GetDirectoryName(new SqliteConnectionStringBuilder(sqlite.ConnectionString).DataSource);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        await MigrateAsync(db, cancellationToken);

        if (db.Database.IsSqlite())
        {
            // Write-ahead logging lets readers proceed while a writer commits; the mode persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await scope.ServiceProvider.GetRequiredService<HeadlessProvisioning>().ApplyAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Applies pending migrations. On PostgreSQL a session-level advisory lock is held across the whole run: EF Core's
    /// own lock is released between migrations, so replicas starting together could otherwise each decide to apply
    /// the same later migration.
    /// </summary>
    private async Task MigrateAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        if (postgres)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockId})", cancellationToken);
        }

        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);
            if (pending.Count > 0)
            {
                LogMigrated(pending.Count, string.Join(", ", pending));
            }
        }
        finally
        {
            if (postgres)
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockId})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>An arbitrary 64-bit key, the platform's own among advisory locks.</summary>
    private const long MigrationLockId = 0x4C4C4D_506C6174;

    [LoggerMessage(Level = LogLevel.Information, Message = "Relational store migrated: {Count} migration(s) applied ({Migrations})")]
    private partial void LogMigrated(int count, string migrations);
}
