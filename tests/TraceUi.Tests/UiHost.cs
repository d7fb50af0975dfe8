using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.Relational;
using Storage.Relational.Entities;
using Storage.Security;

namespace TraceUi.Tests;

/// <summary>
/// TraceUi composed as its Program.cs does, beside TraceIngest (API and worker) as in the Standalone host, so traces
/// reach the UI through the real ingestion API; an admin from headless initialisation and a viewer member.
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

    public static async Task<TestWebHost> StartAsync(TemporaryDirectory data)
    {
        var settings = new Dictionary<string, string?>
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
            settings[key] = value;
        }

        var host = await TestWebHost.StartAsync(
            settings,
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddTraceIngest();
                builder.AddTraceUi();
            },
            app =>
            {
                app.MapDefaultEndpoints();
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

    public static async Task<List<ProjectApiKey>> KeysAsync(TestWebHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().ProjectApiKeys.AsNoTracking().ToListAsync();
    }
}
