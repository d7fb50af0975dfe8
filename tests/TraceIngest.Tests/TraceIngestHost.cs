using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace TraceIngest.Tests;

/// <summary>TraceIngest composed exactly as its Program.cs does.</summary>
internal static class TraceIngestHost
{
    public static Task<TestWebHost> StartAsync(IDictionary<string, string?> settings) =>
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
