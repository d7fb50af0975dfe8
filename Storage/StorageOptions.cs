namespace Storage;

/// <summary>Settings shared by the embedded implementations of the seams.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Where embedded stores keep their files. Defaults to a per-user data folder.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "llm-platform");

    public static string ResolveDataDirectory(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var configured = configuration[$"{SectionName}:{nameof(DataDirectory)}"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? DefaultDataDirectory() : configured);
    }
}
