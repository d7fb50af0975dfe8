using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Storage.TraceStore;

namespace Storage.Tests.TraceStore;

public sealed class TraceStoreStartupTests(EmbeddedTraceStore embedded, TraceStoreServerProcess server)
{
    private readonly TraceStoreBackends _backends = new(embedded, server);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Migrations_are_applied_once_and_a_second_start_applies_nothing(string backend)
    {
        var settings = _backends.FreshStore(backend, "migrate");

        await using (var first = await TraceStoreHost.StartAsync(settings))
        {
            Assert.Contains(first.Logs.Lines, line => line.Contains($"migrated: {MigrationScript.All.Count} migration(s) applied (0001_traces_observations_scores", StringComparison.Ordinal));
        }

        await using var second = await TraceStoreHost.StartAsync(settings);
        var client = second.Store.Client;
        var recorded = await client.ExecuteScalarAsync("SELECT count() FROM schema_migrations", cancellationToken: Cancellation);
        using var tables = await client.ExecuteReaderAsync("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", cancellationToken: Cancellation);
        var names = new List<string>();
        while (await tables.ReadAsync(Cancellation))
        {
            names.Add(tables.GetString(0));
        }

        Assert.Contains(second.Logs.Lines, line => line.Contains("is up to date", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Logs.Lines, line => line.Contains("migrated:", StringComparison.Ordinal));
        Assert.Equal((ulong)MigrationScript.All.Count, Convert.ToUInt64(recorded, CultureInfo.InvariantCulture));
        Assert.Equal(["generations", "generations_from_observations", "observations", "schema_migrations", "scores", "trace_summaries", "traces"], names);
    }

    [Theory]
    [MemberData(nameof(TraceStoreBackends.All), MemberType = typeof(TraceStoreBackends))]
    public async Task Start_up_log_and_health_name_the_backend_in_use(string backend)
    {
        await using var host = await TraceStoreHost.StartAsync(_backends.FreshStore(backend));
        var implementation = TraceStoreBackends.ReportedImplementation(backend);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Cancellation);

        Assert.Contains(host.Logs.Lines, line => line.Contains($"Storage seam trace uses {implementation} at", StringComparison.Ordinal));
        var entry = report.Entries["trace"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(implementation, entry.Data["backend"]);
        var expectedLocation = backend == TraceStoreBackends.InProcess
            ? Path.Combine(embedded.DataDirectory, "chdb")
            : $"127.0.0.1:{server.Endpoint.Port}/{host.Store.Database}";
        Assert.Equal(expectedLocation, entry.Data["location"]);
    }

    [Fact]
    public void Services_composed_into_one_host_share_one_registration()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["Storage:DataDirectory"] = embedded.DataDirectory;

        builder.AddTraceStore();
        builder.AddTraceStore();
        builder.AddTraceStore();

        Assert.Single(builder.Services, descriptor => descriptor.ServiceType == typeof(ClickHouseTraceStore));
        Assert.Single(builder.Services, descriptor => descriptor.ImplementationType?.Name == "TraceStoreInitializer");
        Assert.Single(builder.Services, descriptor => descriptor.ServiceType == typeof(StorageBackend));
    }

    [Fact]
    public async Task Server_location_in_log_and_health_never_carries_the_password()
    {
        var settings = server.Settings(EmbeddedTraceStore.NewDatabaseName("secret"));
        settings["ClickHouse:Username"] = "app";
        settings["ClickHouse:Password"] = "do-not-show-me";

        await using var host = await TraceStoreHost.StartAsync(settings);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Cancellation);

        Assert.DoesNotContain("do-not-show-me", (string)report.Entries["trace"].Data["location"], StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-show-me", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aspire_connection_string_selects_the_server()
    {
        var database = EmbeddedTraceStore.NewDatabaseName("aspire");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:clickhouse"] = $"Host=127.0.0.1;Port={server.Endpoint.Port};Database={database}",
            ["Storage:DataDirectory"] = embedded.DataDirectory,
        };

        await using var host = await TraceStoreHost.StartAsync(settings);

        Assert.Equal("clickhouse", host.Store.Backend.Implementation);
        Assert.Equal($"127.0.0.1:{server.Endpoint.Port}/{database}", host.Store.Backend.Location);
        Assert.Equal(database, await host.Store.Client.ExecuteScalarAsync("SELECT currentDatabase()", cancellationToken: Cancellation));
    }

    [Fact]
    public async Task Cluster_setting_on_the_embedded_store_stops_the_start_and_names_the_setting()
    {
        var settings = embedded.Settings(EmbeddedTraceStore.NewDatabaseName());
        settings["ClickHouse:Cluster"] = "main";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TraceStoreHost.StartAsync(settings));

        Assert.Contains("ClickHouse:Cluster", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_process_on_the_same_embedded_store_is_refused_with_the_way_out()
    {
        // This process's engine holds the store (started by this host if no other test started it yet).
        await using var host = await TraceStoreHost.StartAsync(embedded.Settings(EmbeddedTraceStore.NewDatabaseName()));

        await using var intruder = TraceStoreServerProcess.Start(["--Storage:DataDirectory", embedded.DataDirectory]);
        var exitCode = await intruder.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("is in use by another process", intruder.Output, StringComparison.Ordinal);
        Assert.Contains("ClickHouse:EmbeddedHttpPort", intruder.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_serving_the_embedded_store_stops_cleanly_when_terminated()
    {
        using var dataDirectory = new TemporaryDirectory("chdb-stop-");
        var port = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture);
        await using var process = TraceStoreServerProcess.Start(["--Storage:DataDirectory", dataDirectory.Path, "--ClickHouse:EmbeddedHttpPort", port]);
        await process.WaitForOutputAsync("served over HTTP at", TimeSpan.FromSeconds(60));

        process.Signal(System.Runtime.InteropServices.PosixSignal.SIGTERM);

        // Exit code 0 and no hang: the engine stops in order (left running, its threads intermittently crashed the exit).
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Managed_null_reference_after_chdb_started_is_caught_instead_of_hanging_the_process()
    {
        using var dataDirectory = new TemporaryDirectory("chdb-signals-");

        await using var process = TraceStoreServerProcess.Start(["--check-null-reference", "--Storage:DataDirectory", dataDirectory.Path]);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        Assert.Contains("chDB answered 1", process.Output, StringComparison.Ordinal);
        Assert.Contains("NullReferenceException caught", process.Output, StringComparison.Ordinal);
    }
}
