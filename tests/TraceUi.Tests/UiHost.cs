using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.Relational;
using Storage.Relational.Entities;
using Storage.Security;

namespace TraceUi.Tests;

/// <summary>
/// TraceUi composed as its Program.cs does, beside TraceIngest (API and worker) and, when a test manages the gateway,
/// the gateway itself, as in the Standalone host, so traces reach the UI through the real ingestion API and keys made
/// in the UI are checked by the real gateway; an admin from headless initialisation and a viewer member.
/// </summary>
internal static class UiHost
{
    private static readonly EmbeddedTraceStore TraceStore = new();

    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "admin-password-1";
    public const string ViewerEmail = "viewer@example.com";
    public const string ViewerPassword = "viewer-password-1";
    public const string ProjectId = "web-shop";
    public const string OtherProjectId = "globex-internal";
    public const string PublicKey = "pk-lf-ui-test";
    public const string SecretKey = "sk-lf-ui-test-secret-0123456789";
    public const string MasterKey = "sk-ui-test-master-key-0123456789";

    /// <summary>The gateway's models when it is composed: mock models that answer without a provider.</summary>
    public const string GatewayConfig = """
        model_list:
          - model_name: mock-echo
            litellm_params: {model: mock/echo}
          - model_name: mock-fixed
            litellm_params: {model: mock/fixed, mock_response: "Hello from the mock model."}
        """;

    /// <param name="withGateway">Compose the gateway too (with <see cref="GatewayConfig"/> and <see cref="MasterKey"/>).</param>
    /// <param name="settings">More configuration, e.g. an <c>AzureAd</c> section.</param>
    public static async Task<TestWebHost> StartAsync(TemporaryDirectory data, bool withGateway = false, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = data.Path,
                ["LANGFUSE_INIT_ORG_ID"] = "acme",
                ["LANGFUSE_INIT_PROJECT_ID"] = ProjectId,
                ["LANGFUSE_INIT_PROJECT_NAME"] = "Web shop",
                ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = PublicKey,
                ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = SecretKey,
                ["LANGFUSE_INIT_USER_EMAIL"] = AdminEmail,
                ["LANGFUSE_INIT_USER_PASSWORD"] = AdminPassword,
            };
        foreach (var (key, value) in TraceStore.ServiceSettings(EmbeddedTraceStore.NewDatabaseName("ui")))
        {
            all[key] = value;
        }

        if (withGateway)
        {
            await AddGatewaySettingsAsync(data, all, GatewayConfig);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = await TestWebHost.StartAsync(
            all,
            builder =>
            {
                builder.AddServiceDefaults();
                if (withGateway)
                {
                    builder.AddGateway();
                }

                builder.AddTraceIngest();
                builder.AddTraceUi();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                if (withGateway)
                {
                    app.MapGatewayApi();
                }

                app.MapTraceIngestApi();
                app.MapTraceUi();
            });

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var viewer = new PlatformUser { Id = "viewer-1", Email = ViewerEmail, PasswordHash = PasswordHasher.Hash(ViewerPassword), CreatedAt = DateTime.UtcNow };
        db.Users.Add(viewer);
        db.OrganizationMemberships.Add(new OrganizationMembership { OrganizationId = "acme", UserId = viewer.Id, Role = OrganizationRole.Viewer, CreatedAt = DateTime.UtcNow });
        // A project of another organisation: the viewer is not a member, so it must stay invisible to them.
        db.Organizations.Add(new Organization { Id = "globex", Name = "Globex", CreatedAt = DateTime.UtcNow });
        db.Projects.Add(new Project { Id = OtherProjectId, OrganizationId = "globex", Name = "Globex internal", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return host;
    }

    /// <summary>TraceUi alone, reading the live catalog of <paramref name="gateway"/> (started apart) over its admin route with the master key.</summary>
    public static Task<TestWebHost> StartWithRemoteGatewayAsync(TemporaryDirectory data, TestWebHost gateway, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["TraceUi:Gateway:Url"] = gateway.BaseAddress.ToString(),
            ["LITELLM_MASTER_KEY"] = MasterKey,
            // A gateway's first answer includes its start-up work; on a loaded test machine that can exceed 3 s.
            ["TraceUi:Gateway:Timeout"] = "00:00:30",
        };
        return StartAsync(data, settings: all);
    }

    /// <summary>
    /// The gateway alone, as its Program.cs composes it, on the same store as a TraceUi started on <paramref name="data"/>
    /// (the distributed shape: separate processes sharing the relational store).
    /// </summary>
    /// <param name="config">The gateway's <c>config.yaml</c>; default <see cref="GatewayConfig"/>.</param>
    /// <param name="configure">Runs after <c>AddGateway</c>: what the test puts in place of the world outside (e.g. Entra ID).</param>
    /// <param name="settings">More configuration, e.g. the connection strings of a shared PostgreSQL and Redis.</param>
    public static async Task<TestWebHost> StartSeparateGatewayAsync(
        TemporaryDirectory data, string? config = null, Action<WebApplicationBuilder>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Storage:DataDirectory"] = data.Path };
        await AddGatewaySettingsAsync(data, all, config ?? GatewayConfig);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return await TestWebHost.StartAsync(
            all,
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddGateway();
                configure?.Invoke(builder);
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGatewayApi();
            });
    }

    /// <summary><paramref name="yaml"/> in a directory of its own (the gateway watches it) and <see cref="MasterKey"/>.</summary>
    private static async Task AddGatewaySettingsAsync(TemporaryDirectory data, Dictionary<string, string?> settings, string yaml)
    {
        var config = Directory.CreateDirectory(data.Combine($"gateway-{Guid.NewGuid():N}"));
        settings["config"] = Path.Combine(config.FullName, "config.yaml");
        settings["LITELLM_MASTER_KEY"] = MasterKey;
        await File.WriteAllTextAsync(settings["config"]!, yaml);
    }

    public static async Task<List<ProjectApiKey>> KeysAsync(TestWebHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().ProjectApiKeys.AsNoTracking().ToListAsync();
    }
}
