using Storage.TraceStore;

namespace Storage.Tests.TraceStore;

public sealed class MigrationScriptTests
{
    [Fact]
    public void Migrations_are_numbered_from_one_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, MigrationScript.All.Count), MigrationScript.All.Select(migration => migration.Version));
    }

    [Fact]
    public void First_migration_creates_the_langfuse_tables_as_replacing_merge_trees()
    {
        var statements = MigrationScript.All[0].Render(cluster: null);

        Assert.Equal(3, statements.Count);
        Assert.All(statements, statement => Assert.Contains("ENGINE = ReplacingMergeTree(event_ts, is_deleted)", statement, StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("CREATE TABLE IF NOT EXISTS traces", StringComparison.Ordinal) && s.Contains("ORDER BY (project_id, toDate(timestamp), id)", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("CREATE TABLE IF NOT EXISTS observations", StringComparison.Ordinal) && s.Contains("PARTITION BY toYYYYMM(start_time)", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("CREATE TABLE IF NOT EXISTS scores", StringComparison.Ordinal));
    }

    [Fact]
    public void Single_node_and_embedded_rendering_has_no_cluster_clauses_or_replicated_engines()
    {
        foreach (var statement in MigrationScript.All.SelectMany(migration => migration.Render(cluster: null)))
        {
            Assert.DoesNotContain("ON CLUSTER", statement, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Replicated", statement, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Clustered_rendering_runs_each_table_on_the_cluster_with_a_replicated_engine()
    {
        var statements = MigrationScript.All.SelectMany(migration => migration.Render(cluster: "main")).ToList();
        var tables = statements.Where(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal)).ToList();

        Assert.Equal(5, tables.Count);
        Assert.All(tables, statement =>
        {
            Assert.Matches(@"CREATE TABLE IF NOT EXISTS \w+ ON CLUSTER main\s*\(", statement);
            Assert.Matches(@"ENGINE = ReplicatedReplacingMergeTree\((event_ts|computed_at), is_deleted\)", statement);
        });
        Assert.All(statements.Where(s => s.StartsWith("ALTER TABLE", StringComparison.Ordinal)), statement =>
            Assert.Matches(@"^ALTER TABLE \w+ ON CLUSTER main\s", statement));
    }

    [Fact]
    public void Read_models_are_replacing_merge_trees_filled_by_a_view_and_backfilled_on_any_node()
    {
        var readModels = MigrationScript.All.Single(m => m.Name == "0003_generations_and_trace_summaries");
        var single = readModels.Render(cluster: null);
        var clustered = readModels.Render(cluster: "main");

        Assert.Contains(single, s => s.StartsWith("CREATE TABLE IF NOT EXISTS generations", StringComparison.Ordinal)
            && s.Contains("ENGINE = ReplacingMergeTree(event_ts, is_deleted)", StringComparison.Ordinal));
        Assert.Contains(single, s => s.StartsWith("CREATE TABLE IF NOT EXISTS trace_summaries", StringComparison.Ordinal)
            && s.Contains("ENGINE = ReplacingMergeTree(computed_at, is_deleted)", StringComparison.Ordinal));
        Assert.Contains(clustered, s => s.StartsWith("CREATE MATERIALIZED VIEW IF NOT EXISTS generations_from_observations ON CLUSTER main TO generations", StringComparison.Ordinal));
        var inserts = clustered.Where(s => s.StartsWith("INSERT INTO", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, inserts.Count);
        Assert.All(inserts, statement => Assert.DoesNotContain("ON CLUSTER", statement, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CREATE DATABASE IF NOT EXISTS traces", "CREATE DATABASE IF NOT EXISTS traces ON CLUSTER main")]
    [InlineData("ALTER TABLE traces ADD COLUMN x UInt8", "ALTER TABLE traces ON CLUSTER main ADD COLUMN x UInt8")]
    [InlineData("CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a", "CREATE TABLE t ON CLUSTER main (a UInt8) ENGINE = ReplicatedMergeTree ORDER BY a")]
    public void Clustered_rendering_of_single_statements(string statement, string expected)
    {
        Assert.Equal(expected, MigrationScript.Clustered(statement, "main"));
    }
}
