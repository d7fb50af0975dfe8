namespace TestInfrastructure;

/// <summary>
/// The npm packages the tests drive (servers, official client SDKs), installed by scripts/test.sh with
/// <c>npm ci</c> into <c>tests/npm/node_modules</c> of the repository these tests were built from.
/// </summary>
public static class NpmTools
{
    public static string NodeModules { get; } = FindNodeModules();

    public static string Node => RequiredBinary.Find("node", "nodejs");

    public static string PackageFile(string package, string relativePath)
    {
        var path = Path.Combine(NodeModules, package, relativePath);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing. Run scripts/test.sh (it runs 'npm ci' in tests/npm), or 'npm ci --prefix tests/npm'.");
    }

    /// <summary>Runs one of the scripts in <c>tests/npm/scripts</c> with node and returns what it printed on stdout and stderr.</summary>
    public static Task<string> RunScriptAsync(string script, IDictionary<string, string?> environment, TimeSpan timeout)
    {
        var path = Path.Combine(Path.GetDirectoryName(NodeModules)!, "scripts", script);
        return File.Exists(path)
            ? ExternalProcess.RunAsync(Node, [path], timeout, environment)
            : throw new InvalidOperationException($"{path} is missing.");
    }

    private static string FindNodeModules()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "npm", "node_modules");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/npm/node_modules was not found above the test binaries. Run scripts/test.sh (it runs 'npm ci' in tests/npm).");
    }
}
