namespace Storage.Tests.Relational;

/// <summary>Settings that select each implementation of the relational seam on a fresh, empty store.</summary>
public sealed class RelationalBackends(PostgresServer postgres) : IDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgresql";

    public static TheoryData<string> All => [Sqlite, Postgres];

    private readonly List<TemporaryDirectory> _directories = [];

    public async Task<Dictionary<string, string?>> FreshStoreAsync(string backend) => backend switch
    {
        Sqlite => new() { ["Storage:DataDirectory"] = NewDirectory() },
        Postgres => new() { ["ConnectionStrings:projectdb"] = await postgres.CreateDatabaseAsync("relational") },
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
    };

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    private string NewDirectory()
    {
        var directory = new TemporaryDirectory("relational-");
        _directories.Add(directory);
        return directory.Path;
    }
}
