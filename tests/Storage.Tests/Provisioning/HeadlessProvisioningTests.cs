using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storage.Relational.Entities;
using Storage.Security;
using Storage.Tests.Relational;

namespace Storage.Tests.Provisioning;

public sealed class HeadlessProvisioningTests(PostgresServer postgres) : IDisposable
{
    private const string PublicKey = "pk-lf-1234567890";
    private const string SecretKey = "sk-lf-0123456789abcdef0123456789abcdef";
    private readonly RelationalBackends _backends = new(postgres);

    private static Dictionary<string, string?> FullInit() => new()
    {
        ["LANGFUSE_INIT_ORG_ID"] = "my-org",
        ["LANGFUSE_INIT_ORG_NAME"] = "My Org",
        ["LANGFUSE_INIT_PROJECT_ID"] = "my-project",
        ["LANGFUSE_INIT_PROJECT_NAME"] = "My Project",
        ["LANGFUSE_INIT_PROJECT_RETENTION"] = "30",
        ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = PublicKey,
        ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = SecretKey,
        ["LANGFUSE_INIT_USER_EMAIL"] = "Admin@Example.com",
        ["LANGFUSE_INIT_USER_NAME"] = "Ada Admin",
        ["LANGFUSE_INIT_USER_PASSWORD"] = "password123",
    };

    private async Task<Dictionary<string, string?>> SettingsAsync(string backend, Dictionary<string, string?> init)
    {
        var settings = await _backends.FreshStoreAsync(backend);
        foreach (var (key, value) in init)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task Creates_organisation_project_key_pair_and_owner(string backend)
    {
        await using var host = await RelationalStoreHost.StartAsync(await SettingsAsync(backend, FullInit()));

        var organization = await host.QueryAsync(db => db.Organizations.SingleAsync());
        var project = await host.QueryAsync(db => db.Projects.SingleAsync());
        var key = await host.QueryAsync(db => db.ProjectApiKeys.SingleAsync());
        var user = await host.QueryAsync(db => db.Users.Include(u => u.Memberships).SingleAsync());

        Assert.Equal(("my-org", "My Org"), (organization.Id, organization.Name));
        Assert.Equal(("my-project", "My Project", "my-org", 30), (project.Id, project.Name, project.OrganizationId, project.RetentionDays));
        Assert.Equal(("my-project", PublicKey), (key.ProjectId, key.PublicKey));
        Assert.True(ApiKeySecretHasher.Verify(SecretKey, key.SecretSalt, key.SecretHash));
        Assert.Equal("admin@example.com", user.Email);
        Assert.True(PasswordHasher.Verify("password123", user.PasswordHash!));
        var membership = Assert.Single(user.Memberships);
        Assert.Equal(("my-org", OrganizationRole.Owner), (membership.OrganizationId, membership.Role));
    }

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task Restarting_with_the_same_variables_creates_nothing_twice(string backend)
    {
        var settings = await SettingsAsync(backend, FullInit());
        await (await RelationalStoreHost.StartAsync(settings)).DisposeAsync();

        await using var host = await RelationalStoreHost.StartAsync(settings);

        Assert.Equal(1, await host.QueryAsync(db => db.Organizations.CountAsync()));
        Assert.Equal(1, await host.QueryAsync(db => db.Projects.CountAsync()));
        Assert.Equal(1, await host.QueryAsync(db => db.ProjectApiKeys.CountAsync()));
        Assert.Equal(1, await host.QueryAsync(db => db.Users.CountAsync()));
        Assert.Equal(1, await host.QueryAsync(db => db.OrganizationMemberships.CountAsync()));
    }

    [Fact]
    public async Task Replicas_starting_together_on_one_database_provision_once()
    {
        var settings = await SettingsAsync(RelationalBackends.Postgres, FullInit());

        var hosts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RelationalStoreHost.StartAsync(settings)));
        try
        {
            Assert.Equal(1, await hosts[0].QueryAsync(db => db.Organizations.CountAsync()));
            Assert.Equal(1, await hosts[0].QueryAsync(db => db.ProjectApiKeys.CountAsync()));
            Assert.Equal(1, await hosts[0].QueryAsync(db => db.Users.CountAsync()));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_existing_key_is_never_overwritten_by_another_secret()
    {
        var settings = await SettingsAsync(RelationalBackends.Sqlite, FullInit());
        await (await RelationalStoreHost.StartAsync(settings)).DisposeAsync();

        settings["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = "sk-lf-another-secret-entirely";
        await using var host = await RelationalStoreHost.StartAsync(settings);

        var key = await host.QueryAsync(db => db.ProjectApiKeys.SingleAsync());
        Assert.True(ApiKeySecretHasher.Verify(SecretKey, key.SecretSalt, key.SecretHash));
        Assert.Contains(host.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains(PublicKey, StringComparison.Ordinal));
        Assert.DoesNotContain("sk-lf-another-secret-entirely", host.Logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RelationalBackends.All), MemberType = typeof(RelationalBackends))]
    public async Task Secrets_are_stored_only_as_hashes_and_never_logged(string backend)
    {
        var settings = await SettingsAsync(backend, FullInit());
        await using var host = await RelationalStoreHost.StartAsync(settings);

        var key = await host.QueryAsync(db => db.ProjectApiKeys.SingleAsync());
        var user = await host.QueryAsync(db => db.Users.SingleAsync());

        Assert.DoesNotContain(SecretKey, Encoding.UTF8.GetString(key.SecretHash), StringComparison.Ordinal);
        Assert.Equal($"sk-lf-...{SecretKey[^4..]}", key.DisplaySecretKey);
        Assert.DoesNotContain("password123", user.PasswordHash!, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("password123", host.Logs.All, StringComparison.Ordinal);
        if (backend == RelationalBackends.Sqlite)
        {
            var files = Directory.GetFiles(settings["Storage:DataDirectory"]!).Select(File.ReadAllBytes).Select(Encoding.Latin1.GetString);
            Assert.DoesNotContain(files, content => content.Contains(SecretKey, StringComparison.Ordinal) || content.Contains("password123", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Organisation_alone_is_created_without_project_or_user()
    {
        await using var host = await RelationalStoreHost.StartAsync(await SettingsAsync(RelationalBackends.Sqlite, new() { ["LANGFUSE_INIT_ORG_ID"] = "solo" }));

        Assert.Equal("solo", (await host.QueryAsync(db => db.Organizations.SingleAsync())).Name);
        Assert.Equal(0, await host.QueryAsync(db => db.Projects.CountAsync()));
        Assert.Equal(0, await host.QueryAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData("LANGFUSE_INIT_PROJECT_ID", "p", "LANGFUSE_INIT_ORG_ID")]
    [InlineData("LANGFUSE_INIT_USER_EMAIL", "a@b.c", "LANGFUSE_INIT_ORG_ID")]
    public async Task Dependent_variable_without_organisation_stops_start_up_with_the_reason(string variable, string value, string missing)
    {
        var settings = await SettingsAsync(RelationalBackends.Sqlite, new() { [variable] = value });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => RelationalStoreHost.StartAsync(settings));

        Assert.Contains(variable, failure.Message, StringComparison.Ordinal);
        Assert.Contains(missing, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_key_without_secret_stops_start_up()
    {
        var init = FullInit();
        init.Remove("LANGFUSE_INIT_PROJECT_SECRET_KEY");

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await RelationalStoreHost.StartAsync(await SettingsAsync(RelationalBackends.Sqlite, init)));

        Assert.Contains("LANGFUSE_INIT_PROJECT_SECRET_KEY", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _backends.Dispose();
}
