using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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
    /// Applies pending migrations, on PostgreSQL under a session-level advisory lock: EF Core's own lock there is
    /// held per transaction, one migration at a time, so two replicas that both found several migrations pending
    /// would each apply the later ones.
    /// </summary>
    private async Task MigrateAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        if (postgres)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(LockMigrations, cancellationToken);
        }

        try
        {
            // EF Core reads the history table before creating it and logs the failed read of a new database as an
            // error (dotnet/efcore#37328); creating it first keeps a first start's log free of false failures.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
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
                await db.Database.ExecuteSqlRawAsync(UnlockMigrations, CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    // The advisory lock key of schema migrations: a constant the platform uses for nothing else.
    private const string LockMigrations = "SELECT pg_advisory_lock(7345001001)";
    private const string UnlockMigrations = "SELECT pg_advisory_unlock(7345001001)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Relational store migrated: {Count} migration(s) applied ({Migrations})")]
    private partial void LogMigrated(int count, string migrations);
}
