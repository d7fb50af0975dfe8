using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Storage.Relational;

/// <summary>The embedded relational store: one SQLite file in the data directory.</summary>
public sealed class SqlitePlatformDbContext(DbContextOptions<SqlitePlatformDbContext> options) : PlatformDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context SqlitePlatformDbContext</c> build the model without a host.</summary>
internal sealed class SqlitePlatformDbContextDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePlatformDbContext>
{
    public SqlitePlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePlatformDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
