using System.Text.RegularExpressions;
using Storage.TraceStore.Chdb;

namespace Storage.Tests.TraceStore;

public sealed class ChdbLibraryTests
{
    [Fact]
    public void Missing_library_error_names_the_script_that_fetches_it()
    {
        using var empty = new TemporaryDirectory("chdb-missing-");

        var configured = Assert.Throws<InvalidOperationException>(() => ChdbLibrary.Locate(empty.Combine("nowhere", "libchdb.so"), empty.Path));
        var searched = Assert.Throws<InvalidOperationException>(() => ChdbLibrary.Locate(null, empty.Path));

        Assert.Contains("scripts/lib/chdb.sh", configured.Message, StringComparison.Ordinal);
        Assert.Contains("ClickHouse:ChdbLibraryPath", configured.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/lib/chdb.sh", searched.Message, StringComparison.Ordinal);
        Assert.Contains("ClickHouse:Endpoint", searched.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Library_is_found_in_the_cache_of_the_nearest_directory_above_the_application()
    {
        using var root = new TemporaryDirectory("chdb-locate-");
        var library = root.Combine(".cache", "chdb", ChdbLibrary.PackageVersion, "package", "libchdb.so");
        Directory.CreateDirectory(Path.GetDirectoryName(library)!);
        File.WriteAllText(library, "not really a library");
        var application = Directory.CreateDirectory(root.Combine("app", "bin", "Release")).FullName;

        Assert.Equal(library, ChdbLibrary.Locate(null, application));
    }

    [Fact]
    public void Fetch_script_and_binding_agree_on_the_engine_version()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "scripts", "lib", "chdb.sh")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var script = File.ReadAllText(Path.Combine(directory.FullName, "scripts", "lib", "chdb.sh"));
        Assert.Equal(ChdbLibrary.PackageVersion, Regex.Match(script, "CHDB_VERSION=\"([^\"]+)\"").Groups[1].Value);
    }
}
