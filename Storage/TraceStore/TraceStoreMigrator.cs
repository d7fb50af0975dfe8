using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;

namespace Storage.TraceStore;

/// <summary>
/// Brings the store's database to the newest schema: creates the database when missing, then runs each
/// migration not yet recorded in <c>schema_migrations</c>, in version order, and records it. ClickHouse has
/// no transactional DDL and no advisory locks, so replicas that start together may both run a migration;
/// its statements are idempotent and the table collapses duplicate records.
/// </summary>
internal sealed class TraceStoreMigrator(ClickHouseTraceStore store)
{
    private ClickHouseClient Client => store.Client;

    /// <summary>Applies what is pending and returns the names of the migrations it applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(IReadOnlyList<MigrationScript> migrations, CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(cancellationToken);
        await RunAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) " +
            "ENGINE = ReplacingMergeTree(applied_at) ORDER BY version",
            cancellationToken);

        var applied = await AppliedVersionsAsync(cancellationToken);
        var appliedNow = new List<string>();
        foreach (var migration in migrations.Where(migration => !applied.Contains(migration.Version)))
        {
            foreach (var statement in migration.Render(store.Cluster))
            {
                await Client.ExecuteNonQueryAsync(statement, cancellationToken: cancellationToken);
            }

            var record = new ClickHouseParameterCollection();
            record.AddParameter("version", (uint)migration.Version);
            record.AddParameter("name", migration.Name);
            await Client.ExecuteNonQueryAsync(
                "INSERT INTO schema_migrations (version, name) VALUES ({version:UInt32}, {name:String})",
                record,
                cancellationToken: cancellationToken);
            appliedNow.Add(migration.Name);
        }

        return appliedNow;
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        // Asked from `system`: the store's own database may not exist yet, and a server user may see it
        // without being allowed to create databases.
        var fromSystem = new QueryOptions { Database = "system" };
        var name = new ClickHouseParameterCollection();
        name.AddParameter("name", store.Database);
        var exists = Convert.ToUInt64(
            await Client.ExecuteScalarAsync("SELECT count() FROM system.databases WHERE name = {name:String}", name, fromSystem, cancellationToken),
            System.Globalization.CultureInfo.InvariantCulture) > 0;
        if (!exists)
        {
            var create = $"CREATE DATABASE IF NOT EXISTS {store.Database}";
            await Client.ExecuteNonQueryAsync(
                store.Cluster is null ? create : MigrationScript.Clustered(create, store.Cluster),
                options: fromSystem,
                cancellationToken: cancellationToken);
        }
    }

    private Task RunAsync(string statement, CancellationToken cancellationToken) =>
        Client.ExecuteNonQueryAsync(store.Cluster is null ? statement : MigrationScript.Clustered(statement, store.Cluster), cancellationToken: cancellationToken);

    private async Task<HashSet<int>> AppliedVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        using var reader = await Client.ExecuteReaderAsync("SELECT DISTINCT version FROM schema_migrations", cancellationToken: cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return versions;
    }
}
