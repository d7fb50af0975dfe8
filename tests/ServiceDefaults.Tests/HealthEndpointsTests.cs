using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Tests;

public sealed class HealthEndpointsTests
{
    private static Task<TestWebHost> StartAsync(string environment, Action<IHealthChecksBuilder>? addChecks = null) =>
        TestWebHost.StartAsync(
            new Dictionary<string, string?>(),
            builder =>
            {
                builder.AddServiceDefaults();
                addChecks?.Invoke(builder.Services.AddHealthChecks());
            },
            app => app.MapDefaultEndpoints(),
            environment);

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    [InlineData("Staging")]
    public async Task Health_and_alive_are_mapped_in_every_environment(string environment)
    {
        await using var host = await StartAsync(environment);

        var health = await host.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        var alive = await host.Client.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Health_reports_each_check_with_its_data_as_json()
    {
        await using var host = await StartAsync("Production", checks => checks.AddCheck(
            "relational", () => HealthCheckResult.Healthy("sqlite reachable", new Dictionary<string, object> { ["backend"] = "sqlite" }), ["ready"]));

        using var report = JsonDocument.Parse(await host.Client.GetStringAsync("/health", TestContext.Current.CancellationToken));

        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var relational = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "relational");
        Assert.Equal("sqlite", relational.GetProperty("data").GetProperty("backend").GetString());
        Assert.Equal("sqlite reachable", relational.GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_failing_backend_fails_readiness_but_not_liveness()
    {
        await using var host = await StartAsync("Production", checks => checks.AddCheck(
            "queue", () => HealthCheckResult.Unhealthy("redis unreachable"), ["ready"]));

        var health = await host.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        var alive = await host.Client.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("redis unreachable", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("queue", await alive.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exception_details_of_a_failing_check_stay_out_of_the_response()
    {
        await using var host = await StartAsync("Production", checks => checks.AddCheck(
            "broken", () => HealthCheckResult.Unhealthy("down", new InvalidOperationException("stack detail Password=hunter2")), ["ready"]));

        var body = await host.Client.GetStringAsync("/alive", TestContext.Current.CancellationToken)
            + await (await host.Client.GetAsync("/health", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Otlp_exporter_is_only_registered_when_an_endpoint_is_configured()
    {
        static bool HasOtlpExporter(IDictionary<string, string?> settings)
        {
            var builder = TestWebHost.CreateBuilder(settings);
            builder.AddServiceDefaults();
            return builder.Services.Any(d => d.ServiceType.FullName?.Contains("Otlp", StringComparison.Ordinal) == true
                || d.ImplementationType?.FullName?.Contains("Otlp", StringComparison.Ordinal) == true);
        }

        Assert.False(HasOtlpExporter(new Dictionary<string, string?>()));
        Assert.True(HasOtlpExporter(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" }));
    }
}
