using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Storage.Relational.Entities;

namespace Storage.Relational;

/// <summary>
/// The relational model: low-volume, transactional data only. One model, two providers: each provider has
/// its own subclass so that its migrations live apart (<see cref="SqlitePlatformDbContext"/>,
/// <see cref="PostgresPlatformDbContext"/>).
/// </summary>
public abstract class PlatformDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectApiKey> ProjectApiKeys => Set<ProjectApiKey>();
    public DbSet<PlatformUser> Users => Set<PlatformUser>();
    public DbSet<OrganizationMembership> OrganizationMemberships => Set<OrganizationMembership>();
    public DbSet<VirtualKey> VirtualKeys => Set<VirtualKey>();
    public DbSet<DeprecatedVirtualKey> DeprecatedVirtualKeys => Set<DeprecatedVirtualKey>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMembership> TeamMemberships => Set<TeamMembership>();
    public DbSet<InternalUser> InternalUsers => Set<InternalUser>();
    public DbSet<EndUser> EndUsers => Set<EndUser>();
    public DbSet<DailySpend> DailySpend => Set<DailySpend>();
    public DbSet<BudgetState> BudgetStates => Set<BudgetState>();
    public DbSet<SpendFlushBatch> SpendFlushBatches => Set<SpendFlushBatch>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<ModelPriceOverride> ModelPriceOverrides => Set<ModelPriceOverride>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite would otherwise hand them back with an unspecified kind.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(256);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Organization>(organization =>
        {
            organization.ToTable("organizations");
            organization.HasKey(o => o.Id);
        });

        modelBuilder.Entity<Project>(project =>
        {
            project.ToTable("projects");
            project.HasKey(p => p.Id);
            project.HasOne(p => p.Organization).WithMany(o => o.Projects).HasForeignKey(p => p.OrganizationId);
        });

        modelBuilder.Entity<ProjectApiKey>(key =>
        {
            key.ToTable("project_api_keys");
            key.HasKey(k => k.Id);
            key.HasIndex(k => k.PublicKey).IsUnique();
            key.Property(k => k.SecretSalt).HasMaxLength(32);
            key.Property(k => k.SecretHash).HasMaxLength(32);
            key.Property(k => k.Note).HasMaxLength(2048);
            key.HasOne(k => k.Project).WithMany(p => p.ApiKeys).HasForeignKey(k => k.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<PlatformUser>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.HasIndex(u => u.Email).IsUnique();
        });

        modelBuilder.Entity<OrganizationMembership>(membership =>
        {
            membership.ToTable("organization_memberships");
            membership.HasKey(m => new { m.OrganizationId, m.UserId });
            membership.HasOne(m => m.Organization).WithMany(o => o.Members).HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne(m => m.User).WithMany(u => u.Memberships).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            membership.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        });

        GatewayModel.Configure(modelBuilder);
        modelBuilder.Entity<ModelPriceOverride>(price =>
        {
            price.ToTable("model_price_overrides");
            price.HasKey(p => p.Id);
            price.HasIndex(p => p.ProjectId);
            price.Property(p => p.MatchPattern).HasMaxLength(1024);
            price.Property(p => p.PricesJson).HasMaxLength(4096);
            price.HasOne(p => p.Project).WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });

        ApplySnakeCaseColumnNames(modelBuilder);
    }

    /// <summary>Columns in snake_case, so operators can write SQL against PostgreSQL without quoting identifiers.</summary>
    private static void ApplySnakeCaseColumnNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
