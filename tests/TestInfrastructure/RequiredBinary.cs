namespace TestInfrastructure;

/// <summary>Finds the machine binaries the real-server fixtures need, or says which package to install.</summary>
public static class RequiredBinary
{
    public static string Find(string name, string debianPackage, params string[] extraDirectories)
    {
        var candidates = extraDirectories
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Select(directory => Path.Combine(directory, name));

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"'{name}' was not found. Install the Debian package '{debianPackage}' (apt-get install -y {debianPackage}); scripts/test.sh does this when run as root.");
    }

    /// <summary>PostgreSQL's server binaries live outside PATH on Debian: /usr/lib/postgresql/&lt;version&gt;/bin.</summary>
    public static string PostgresBinDirectory()
    {
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(directory => Path.Combine(directory, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
                .ToArray()
            : [];

        return Path.GetDirectoryName(Find("pg_ctl", "postgresql", versioned))!;
    }

    public static bool RunningAsRoot => Environment.UserName == "root";
}
