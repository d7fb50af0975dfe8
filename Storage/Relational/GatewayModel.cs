using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Storage.Relational.Entities;

namespace Storage.Relational;

/// <summary>The gateway's governance tables: virtual keys, teams, users, end users, spend rollups, the audit log.</summary>
internal static class GatewayModel
{
    // Lists of model names and tags are small and read whole: one JSON column, the same on PostgreSQL and SQLite.
    private static readonly ValueConverter<List<string>, string> ListAsJson = new(
        list => JsonSerializer.Serialize(list, JsonSerializerOptions.Default),
        json => JsonSerializer.Deserialize<List<string>>(json, JsonSerializerOptions.Default) ?? new List<string>());

    private static readonly ValueComparer<List<string>> ListComparer = new(
        (a, b) => a!.SequenceEqual(b!),
        list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item.GetHashCode(StringComparison.Ordinal))),
        list => list.ToList());

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VirtualKey>(key =>
        {
            key.ToTable("virtual_keys");
            key.HasKey(k => k.Token);
            key.Property(k => k.Token).HasMaxLength(64);
            key.HasIndex(k => k.KeyAlias).IsUnique();
            key.HasIndex(k => k.TeamId);
            key.HasIndex(k => k.UserId);
            Budgeted(key);
            JsonList(key.Property(k => k.Models));
            JsonList(key.Property(k => k.Tags));
            key.HasOne(k => k.Team).WithMany().HasForeignKey(k => k.TeamId).OnDelete(DeleteBehavior.Cascade);
            key.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeprecatedVirtualKey>(key =>
        {
            key.ToTable("deprecated_virtual_keys");
            key.HasKey(k => k.Token);
            key.Property(k => k.Token).HasMaxLength(64);
            key.Property(k => k.ActiveToken).HasMaxLength(64);
            key.HasIndex(k => k.ActiveToken);
        });

        modelBuilder.Entity<Team>(team =>
        {
            team.ToTable("teams");
            team.HasKey(t => t.TeamId);
            Budgeted(team);
            JsonList(team.Property(t => t.Models));
            JsonList(team.Property(t => t.Tags));
        });

        modelBuilder.Entity<InternalUser>(user =>
        {
            user.ToTable("internal_users");
            user.HasKey(u => u.UserId);
            user.HasIndex(u => u.UserEmail);
            user.Property(u => u.UserRole).HasMaxLength(32);
            Budgeted(user);
            JsonList(user.Property(u => u.Models));
        });

        modelBuilder.Entity<TeamMembership>(membership =>
        {
            membership.ToTable("team_memberships");
            membership.HasKey(m => new { m.TeamId, m.UserId });
            membership.Property(m => m.Role).HasMaxLength(16);
            membership.HasOne(m => m.Team).WithMany(t => t.Members).HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne(m => m.User).WithMany(u => u.Memberships).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<EndUser>(endUser =>
        {
            endUser.ToTable("end_users");
            endUser.HasKey(e => e.UserId);
            Budgeted(endUser);
        });

        modelBuilder.Entity<DailySpend>(daily =>
        {
            daily.ToTable("daily_spend");
            daily.HasKey(d => new { d.Date, d.ApiKey, d.TeamId, d.UserId, d.EndUser, d.Model });
            daily.Property(d => d.ApiKey).HasMaxLength(64);
            daily.HasIndex(d => new { d.TeamId, d.Date });
            daily.HasIndex(d => new { d.UserId, d.Date });
        });

        modelBuilder.Entity<BudgetState>(state =>
        {
            state.ToTable("budget_states");
            state.HasKey(s => s.Name);
        });

        modelBuilder.Entity<SpendFlushBatch>(batch =>
        {
            batch.ToTable("spend_flush_batches");
            batch.HasKey(b => b.BatchId);
            batch.HasIndex(b => b.FlushedAt);
        });

        modelBuilder.Entity<AuditLogEntry>(entry =>
        {
            entry.ToTable("audit_log");
            entry.HasKey(e => e.Id);
            entry.HasIndex(e => e.UpdatedAt);
            entry.HasIndex(e => new { e.TableName, e.ObjectId });
            entry.Property(e => e.ChangedByApiKey).HasMaxLength(64);
            entry.Property(e => e.Action).HasMaxLength(32);
            entry.Property(e => e.TableName).HasMaxLength(32);
            entry.Property(e => e.BeforeValue).HasColumnType("text");
            entry.Property(e => e.UpdatedValues).HasColumnType("text");
        });
    }

    private static void Budgeted<T>(EntityTypeBuilder<T> entity)
        where T : BudgetedEntity
    {
        entity.Property(e => e.BudgetDuration).HasMaxLength(16);
        entity.Property(e => e.Metadata).HasColumnType("text");
    }

    private static void JsonList(PropertyBuilder<List<string>> property) =>
        property.HasConversion(ListAsJson, ListComparer).HasColumnType("text");
}
