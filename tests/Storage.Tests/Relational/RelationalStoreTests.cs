using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Storage.Relational;

namespace Storage.Tests.Relational;

public sealed class RelationalStoreTests(PostgresServer postgres) : IDisposable
{
    private readonly RelationalBackends _backends = new(postgres);

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task Fresh_store_is_migrated_at_start_and_health_names_the_backend(string backend)
    {
        await using var host = await RelationalStoreHost.StartAsync(await _backends.FreshStoreAsync(backend));

        var pending = await host.QueryAsync(db => db.Database.GetPendingMigrationsAsync());
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Empty(pending);
        var entry = report.Entries["relational"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(backend, entry.Data["backend"]);
    }

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task First_start_on_a_new_database_logs_no_errors(string backend)
    {
        await using var host = await RelationalStoreHost.StartAsync(await _backends.FreshStoreAsync(backend));

        Assert.DoesNotContain(host.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, line => line.Contains("Relational store migrated", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task Start_up_log_names_the_backend_in_use(string backend)
    {
        await using var host = await RelationalStoreHost.StartAsync(await _backends.FreshStoreAsync(backend));

        Assert.Contains(host.Logs.Lines, line => line.Contains($"Storage seam relational uses {backend}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Postgres_location_in_health_never_carries_the_password()
    {
        var settings = await _backends.FreshStoreAsync(RelationalBackends.Postgres);
        settings["ConnectionStrings:projectdb"] += ";Password=do-not-show-me";

        await using var host = await RelationalStoreHost.StartAsync(settings);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        var location = (string)report.Entries["relational"].Data["location"];
        Assert.DoesNotContain("do-not-show-me", location, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-show-me", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_postgres_reports_unhealthy_with_the_backend_named()
    {
        var deadPort = FreeTcpPort.Next();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:projectdb"] = $"Host=127.0.0.1;Port={deadPort};Username=postgres;Database=none;Timeout=2";
        builder.AddRelationalStore();
        using var host = builder.Build();

        // Not started: the initializer would fail to migrate. The health check alone must answer, quickly.
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["relational"].Status);
        Assert.Equal("postgresql", report.Entries["relational"].Data["backend"]);
    }

    public void Dispose() => _backends.Dispose();
}
