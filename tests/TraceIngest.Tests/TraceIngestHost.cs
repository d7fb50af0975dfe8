using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace TraceIngest.Tests;

/// <summary>TraceIngest composed exactly as its Program.cs does.</summary>
internal static class TraceIngestHost
{
    private static readonly EmbeddedTraceStore TraceStore = new();

    /// <summary>
    /// Starts the service; unless the settings choose a ClickHouse, it uses this test process's chDB engine
    /// (one per process) on a database of its own.
    /// </summary>
    public static Task<TestWebHost> StartAsync(IDictionary<string, string?> settings)
    {
        // The API alone unless a test asks for the worker too: API tests look at what was queued, and a worker
        // in the same host would take it first.
        var all = new Dictionary<string, string?>(settings);
        all.TryAdd("TraceIngest:Roles", "api");
        if (!all.Keys.Any(k => k.StartsWith("ClickHouse:", StringComparison.Ordinal) || k == "ConnectionStrings:clickhouse"))
        {
            foreach (var (key, value) in TraceStore.ServiceSettings(EmbeddedTraceStore.NewDatabaseName("ingest")))
            {
                all[key] = value;
            }
        }

        return StartComposedAsync(all);
    }

    private static Task<TestWebHost> StartComposedAsync(IDictionary<string, string?> settings) =>
        TestWebHost.StartAsync(
            settings,
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddTraceIngest();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapTraceIngestApi();
            });

    public static Dictionary<string, string?> Project(string projectId, string publicKey, string secretKey) => new()
    {
        ["LANGFUSE_INIT_ORG_ID"] = "org",
        ["LANGFUSE_INIT_PROJECT_ID"] = projectId,
        ["LANGFUSE_INIT_PROJECT_NAME"] = $"Project {projectId}",
        ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = publicKey,
        ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = secretKey,
    };
}
