using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Storage.Relational;

/// <summary>The distributed relational store: PostgreSQL (Aurora on AWS) through Npgsql.</summary>
public sealed class PostgresPlatformDbContext(DbContextOptions<PostgresPlatformDbContext> options) : PlatformDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context PostgresPlatformDbContext</c> build the model without a server.</summary>
internal sealed class PostgresPlatformDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPlatformDbContext>
{
    public PostgresPlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPlatformDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
