using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storage.Relational;
using Storage.Relational.Entities;
using Storage.Security;

namespace Storage.Provisioning;

/// <summary>
/// Creates what the LANGFUSE_INIT_* variables describe, each resource only if absent, so every start and
/// every replica can run it. Existing resources are never changed.
/// </summary>
public sealed partial class HeadlessProvisioning(
    PlatformDbContext db,
    IOptions<HeadlessProvisioningOptions> options,
    TimeProvider clock,
    ILogger<HeadlessProvisioning> logger)
{
    private readonly HeadlessProvisioningOptions _options = options.Value;

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.OrganizationId))
        {
            return;
        }

        await CreateMissingAsync(cancellationToken);
    }

    private async Task CreateMissingAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var organizationId = _options.OrganizationId!.Trim();

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken)
            && await InsertUnlessRacedAsync(
                new Organization { Id = organizationId, Name = NameOr(_options.OrganizationName, organizationId), CreatedAt = now },
                () => db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken),
                cancellationToken))
        {
            LogCreated("organisation", organizationId);
        }

        if (_options.WantsProject)
        {
            await CreateProjectAsync(organizationId, now, cancellationToken);
        }

        if (_options.WantsUser)
        {
            await CreateUserAsync(organizationId, now, cancellationToken);
        }
    }

    private async Task CreateProjectAsync(string organizationId, DateTime now, CancellationToken cancellationToken)
    {
        var projectId = _options.ProjectId!.Trim();
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            var created = await InsertUnlessRacedAsync(
                new Project
                {
                    Id = projectId,
                    OrganizationId = organizationId,
                    Name = NameOr(_options.ProjectName, projectId),
                    RetentionDays = _options.ProjectRetentionDays,
                    CreatedAt = now,
                },
                () => db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken),
                cancellationToken);
            if (created)
            {
                LogCreated("project", projectId);
            }
        }
        else if (project.OrganizationId != organizationId)
        {
            LogProjectInOtherOrganization(projectId, project.OrganizationId);
        }

        if (!_options.WantsApiKey)
        {
            return;
        }

        var publicKey = _options.ProjectPublicKey!.Trim();
        var secretKey = _options.ProjectSecretKey!.Trim();
        var existing = await db.ProjectApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.PublicKey == publicKey, cancellationToken);
        if (existing is not null)
        {
            if (existing.ProjectId != projectId || !ApiKeySecretHasher.Verify(secretKey, existing.SecretSalt, existing.SecretHash))
            {
                LogApiKeyDiffers(publicKey);
            }

            return;
        }

        var keyCreated = await InsertUnlessRacedAsync(
            ProjectApiKey.Issue(projectId, publicKey, secretKey, "Created by headless initialisation", now),
            () => db.ProjectApiKeys.AnyAsync(k => k.PublicKey == publicKey, cancellationToken),
            cancellationToken);
        if (keyCreated)
        {
            LogCreated("API key", publicKey);
        }
    }

    private async Task CreateUserAsync(string organizationId, DateTime now, CancellationToken cancellationToken)
    {
        var email = _options.UserEmail!.Trim().ToLowerInvariant();
        if (!await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
        {
            var created = await InsertUnlessRacedAsync(
                new PlatformUser
                {
                    Id = Guid.CreateVersion7().ToString("N"),
                    Email = email,
                    Name = _options.UserName,
                    PasswordHash = PasswordHasher.Hash(_options.UserPassword!),
                    IsAdmin = true,
                    CreatedAt = now,
                },
                () => db.Users.AnyAsync(u => u.Email == email, cancellationToken),
                cancellationToken);
            if (created)
            {
                LogCreated("user", email);
            }
        }

        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(cancellationToken);
        if (!await db.OrganizationMemberships.AnyAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken))
        {
            await InsertUnlessRacedAsync(
                new OrganizationMembership { OrganizationId = organizationId, UserId = userId, Role = OrganizationRole.Owner, CreatedAt = now },
                () => db.OrganizationMemberships.AnyAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken),
                cancellationToken);
        }
    }

    /// <summary>
    /// Inserts a row; when another replica inserted the same row first (the unique key rejects ours), that
    /// row counts as ours. Returns whether this call created it.
    /// </summary>
    private async Task<bool> InsertUnlessRacedAsync<TEntity>(TEntity entity, Func<Task<bool>> existsNow, CancellationToken cancellationToken)
        where TEntity : class
    {
        db.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await existsNow())
            {
                return false;
            }

            throw;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static string NameOr(string? name, string id) => string.IsNullOrWhiteSpace(name) ? id : name.Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Headless initialisation created {Resource} {Id}")]
    private partial void LogCreated(string resource, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Headless initialisation: project {ProjectId} already exists in organisation {OrganizationId}; left as it is")]
    private partial void LogProjectInOtherOrganization(string projectId, string organizationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Headless initialisation: API key {PublicKey} already exists with another secret or project; the stored key is kept")]
    private partial void LogApiKeyDiffers(string publicKey);
}
